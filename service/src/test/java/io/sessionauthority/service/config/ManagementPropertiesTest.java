package io.sessionauthority.service.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ManagementPropertiesTest {

    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    @Test
    void limitsThatWouldCloseOrRefuseEveryConnectionAreRefusedAtStart() {
        assertThatThrownBy(() -> new ManagementProperties(9090, null, 0, 8, 20, 40, 20, 40, 1, 5, FIVE_SECONDS, FIVE_SECONDS, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-connections");
        assertThatThrownBy(() -> new ManagementProperties(9090, null, 64, 8, 20, 40, 20, 40, 1, 5, Duration.ZERO, FIVE_SECONDS, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header-timeout");
        assertThatThrownBy(() -> new ManagementProperties(9090, null, 64, 8, 20, 40, 20, 40, 1, 5, FIVE_SECONDS, Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle-timeout");
        assertThatThrownBy(() -> new ManagementProperties(70_000, null, 64, 8, 20, 40, 20, 40, 1, 5, FIVE_SECONDS, FIVE_SECONDS, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MANAGEMENT_PORT");
        assertThatThrownBy(() -> new ManagementProperties(9090, null, 64, 0, 20, 40, 20, 40, 1, 5, FIVE_SECONDS, FIVE_SECONDS, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-connections-per-address");
        assertThatThrownBy(() -> new ManagementProperties(9090, null, 64, 8, 20, 40, 20, 40, 1, 5, FIVE_SECONDS, FIVE_SECONDS, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scrape-max-age");
        assertThatThrownBy(() -> new ManagementProperties(9090, null, 64, 8, 20, 40, 20, 40, 0, 5, FIVE_SECONDS, FIVE_SECONDS, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scrape");
        assertThatCode(() -> new ManagementProperties(0, "", 64, 8, 20, 40, 20, 40, 1, 5, FIVE_SECONDS, FIVE_SECONDS, Duration.ZERO)).doesNotThrowAnyException();
    }
}
