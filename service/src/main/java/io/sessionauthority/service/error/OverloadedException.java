package io.sessionauthority.service.error;

import java.time.Duration;

/** The service sheds this call to protect itself; the caller may retry after {@link #retryAfter()}. */
public final class OverloadedException extends SessionAuthorityException {

    private final Duration retryAfter;

    public OverloadedException(String reason, String message, Duration retryAfter) {
        super(reason, message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
