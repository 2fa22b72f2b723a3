package io.sessionauthority.service.error;

import java.time.Duration;

/** Refused for now; the caller may try again after {@link #retryAfter()} (RESOURCE_EXHAUSTED with RetryInfo). */
public abstract sealed class RetryLaterException extends SessionAuthorityException
        permits OverloadedException, ThrottledException {

    private final Duration retryAfter;

    protected RetryLaterException(String reason, String message, Duration retryAfter) {
        super(reason, message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
