package io.sessionauthority.service.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What LOG_FORMAT=json writes: one JSON object per line, the time first as ISO-8601, key-value pairs as fields. */
@Tag("unit")
class LogSetupTest {

    @Test
    void aJsonLineStartsWithItsIsoTimeAndCarriesKeyValuePairs() {
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        LoggingEvent event = new LoggingEvent("test", context.getLogger("session-authority.audit"), Level.INFO, "event=user.create", null, null);
        event.setTimeStamp(1_796_584_200_123L);
        event.addKeyValuePair(new org.slf4j.event.KeyValuePair("user_id", "uid-1"));

        var encoder = LogSetup.jsonEncoder(context);
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).startsWith("{\"timestamp\":\"2026-12-06T19:10:00.123Z\",").endsWith("}\n")
                .contains("\"level\":\"INFO\"", "\"user_id\"", "\"uid-1\"", "event=user.create")
                .doesNotContain("\"timestamp\":1796584200123");
    }
}
