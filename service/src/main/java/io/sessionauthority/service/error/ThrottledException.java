package io.sessionauthority.service.error;

import java.time.Duration;

/** Too many failed password checks on a counter of this attempt: locked until {@link #retryAfter()} has passed. */
public final class ThrottledException extends RetryLaterException {

    public ThrottledException(Duration retryAfter) {
        super("LOGIN_THROTTLED", "too many failed logins; retry in " + retryAfter.toSeconds() + " s", retryAfter);
    }
}
