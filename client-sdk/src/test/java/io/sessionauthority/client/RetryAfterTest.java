package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Retry-After an HTTP front answers with: whole seconds, rounded up, never 0. */
@Tag("unit")
class RetryAfterTest {

    @Test
    void aThrottledCallWaitsItsOwnDelayRoundedUpToWholeSeconds() {
        assertThat(throttled(Duration.ofMillis(1500)).retryAfterSeconds()).isEqualTo(2);
        assertThat(throttled(Duration.ofSeconds(3)).retryAfterSeconds()).isEqualTo(3);
        assertThat(throttled(Duration.ofMillis(1)).retryAfterSeconds()).isEqualTo(1);
        assertThat(throttled(Duration.ZERO).retryAfterSeconds()).as("never 0: that invites a stampede").isEqualTo(1);
    }

    @Test
    void anyOtherFailureSaysOneSecond() {
        assertThat(new UnavailableException(Status.Code.UNAVAILABLE, "", "down", null).retryAfterSeconds()).isEqualTo(1);
    }

    private static ThrottledException throttled(Duration delay) {
        return new ThrottledException("LOGIN_THROTTLED", "slow down", delay, null);
    }
}
