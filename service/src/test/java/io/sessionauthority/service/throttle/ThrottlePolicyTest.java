package io.sessionauthority.service.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A throttle setting that cannot work is refused at start-up, with the setting named. */
@Tag("unit")
class ThrottlePolicyTest {

    private static ThrottlePolicy withMaxDevices(int maxDevices) {
        return new ThrottlePolicy(true, 30, 100, 10, Duration.ofSeconds(60), Duration.ofMinutes(15), Duration.ofMinutes(15),
                Duration.ofDays(90), maxDevices, 100, AddressRanges.parse("shared-address-ranges", List.of()));
    }

    @Test
    void knownDevicesPerUserAreBetweenOneAndWhatTheUsersHashHoldsCompactly() {
        assertThat(withMaxDevices(1).maxDevicesPerUser()).isEqualTo(1);
        assertThat(withMaxDevices(ThrottlePolicy.MAX_DEVICES_PER_USER).maxDevicesPerUser()).isEqualTo(100);
        for (int refused : new int[] {0, ThrottlePolicy.MAX_DEVICES_PER_USER + 1}) {
            assertThatThrownBy(() -> withMaxDevices(refused)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("max-devices-per-user");
        }
    }
}
