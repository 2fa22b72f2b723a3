package io.sessionauthority.service.error;

import java.time.Duration;

/** The service sheds this call to protect itself (e.g. the hashing pool is full). */
public final class OverloadedException extends RetryLaterException {

    public OverloadedException(String reason, String message, Duration retryAfter) {
        super(reason, message, retryAfter);
    }
}
