package io.sessionauthority.service.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ManagementPropertiesTest {

    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    @Test
    void limitsThatWouldCloseOrRefuseEveryConnectionAreRefusedAtStart() {
        assertThatThrownBy(() -> new ManagementProperties(9090, null, 0, FIVE_SECONDS, FIVE_SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-connections");
        assertThatThrownBy(() -> new ManagementProperties(9090, null, 64, Duration.ZERO, FIVE_SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header-timeout");
        assertThatThrownBy(() -> new ManagementProperties(9090, null, 64, FIVE_SECONDS, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle-timeout");
        assertThatThrownBy(() -> new ManagementProperties(70_000, null, 64, FIVE_SECONDS, FIVE_SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MANAGEMENT_PORT");
        assertThatCode(() -> new ManagementProperties(0, "", 64, FIVE_SECONDS, FIVE_SECONDS)).doesNotThrowAnyException();
    }
}
