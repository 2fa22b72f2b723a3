package io.sessionauthority.service.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** An audit event is one logfmt line for people and the same fields as key-value pairs for JSON logs. */
@Tag("unit")
class AuditLogTest {

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger audit = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);

    @BeforeEach
    void listen() {
        lines.start();
        audit.addAppender(lines);
    }

    @AfterEach
    void stop() {
        audit.detachAppender(lines);
    }

    @Test
    void anEventIsALineAndFields() {
        new AuditLog().userCreated("admin", "uid-1", "alice", null);

        ILoggingEvent event = lines.list.get(0);
        assertThat(event.getFormattedMessage()).isEqualTo("event=user.create caller=admin user_id=uid-1 username=alice");
        assertThat(fields(event)).containsExactlyInAnyOrderEntriesOf(
                Map.of("event", "user.create", "caller", "admin", "user_id", "uid-1", "username", "alice"));
    }

    @Test
    void aRotationAndAReuseNameTheSessionAndItsTokenGenerations() {
        AuditLog log = new AuditLog();
        log.rotated("uid-1", "sid-1", 3);
        log.reused("uid-1", "sid-1", 3);

        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "event=session.token_rotate user_id=uid-1 session_id=sid-1 from_generation=2 to_generation=3",
                "event=session.token_reuse user_id=uid-1 session_id=sid-1 current_generation=3 outcome=\"session ended\"");
    }

    @Test
    void inputCannotForgeALineOrAField() {
        new AuditLog().userCreated("admin", "uid-1", "alice\nevent=login.success \"x\"", null);

        ILoggingEvent event = lines.list.get(0);
        assertThat(event.getFormattedMessage())
                .isEqualTo("event=user.create caller=admin user_id=uid-1 username=\"alice?event=login.success \\\"x\\\"\"");
        assertThat(fields(event)).containsEntry("username", "alice?event=login.success \"x\"");
    }

    @Test
    void aJsonLogCarriesTheFieldsAsJson() {
        new AuditLog().userCreated("admin", "uid-1", "alice", null);

        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        encoder.start();
        String json = new String(encoder.encode(lines.list.get(0)), StandardCharsets.UTF_8);
        assertThat(json).contains("\"event\"", "\"user.create\"", "\"user_id\"", "\"uid-1\"", "\"username\"", "\"alice\"");
    }

    private static Map<String, String> fields(ILoggingEvent event) {
        return event.getKeyValuePairs().stream().collect(Collectors.toMap(pair -> pair.key, pair -> String.valueOf(pair.value)));
    }
}
