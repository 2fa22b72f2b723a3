package io.sessionauthority.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.client.SessionAuthorityClient;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/** Every cache setting reaches the SDK: a value it refuses fails startup naming the property. */
@Tag("unit")
class SessionAuthorityClientFactoryTest {

    @Test
    void everyCacheSettingIsAppliedAndARefusedOneNamesItsProperty() {
        SessionAuthorityProperties properties = cached();
        properties.getCache().setRevocationStream(false);
        properties.getCache().setDegradedMaxAge(Duration.ofMillis(500));
        properties.getCache().setNegativeMaxAge(Duration.ZERO);
        properties.getCache().setSlideSessions(Duration.ofMinutes(1));
        try (SessionAuthorityClient client = SessionAuthorityClientFactory.create(properties, null)) {
            assertThat(client).isNotNull();
        }

        for (String[] refused : new String[][] {{"degraded-max-age", "PT5S"}, {"negative-max-age", "PT2M"},
                {"slide-sessions", "PT-1S"}, {"max-age", "PT25H"}}) {
            SessionAuthorityProperties bad = cached();
            Duration value = Duration.parse(refused[1]);
            switch (refused[0]) {
                case "degraded-max-age" -> bad.getCache().setDegradedMaxAge(value);
                case "negative-max-age" -> bad.getCache().setNegativeMaxAge(value);
                case "slide-sessions" -> bad.getCache().setSlideSessions(value);
                default -> bad.getCache().setMaxAge(value);
            }
            assertThatThrownBy(() -> SessionAuthorityClientFactory.create(bad, null)).as(refused[0])
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasFieldOrPropertyWithValue("name", "session-authority.client.cache." + refused[0]);
        }
    }

    private static SessionAuthorityProperties cached() {
        SessionAuthorityProperties properties = new SessionAuthorityProperties();
        properties.setTarget("127.0.0.1:1");
        properties.setPlaintext(true);
        properties.setAwaitReadyOnStartup(false);
        properties.getCache().setMaxEntries(100);
        return properties;
    }
}
