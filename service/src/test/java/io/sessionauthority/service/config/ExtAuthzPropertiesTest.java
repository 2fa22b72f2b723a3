package io.sessionauthority.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ExtAuthzPropertiesTest {

    /** A status Envoy cannot send (or a typo) is said at startup, not discovered at the first outage. */
    @Test
    void theOutageStatusMustBeOneADenialCanCarry() {
        for (int status : new int[] {200, 418, 599, 0, -1}) {
            assertThatThrownBy(() -> new ExtAuthzProperties("session_id", List.of(), status, Duration.ZERO, "Path=/", false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unavailable-http-status").hasMessageContaining("503").hasMessageContaining("was " + status);
        }
        for (int status : new int[] {401, 403, 429, 500, 502, 503, 504}) {
            assertThat(new ExtAuthzProperties("session_id", List.of(), status, Duration.ZERO, "Path=/", false).unavailableHttpStatus()).isEqualTo(status);
        }
    }
}
