package io.sessionauthority.client;

import io.grpc.Status;
import java.time.Duration;

/**
 * The service is shedding load (RESOURCE_EXHAUSTED), for example when too many logins are being
 * hashed at once. Retry after {@link #retryAfter()}.
 */
public final class ThrottledException extends SessionAuthorityException {

    private final Duration retryAfter;

    public ThrottledException(String reason, String message, Duration retryAfter, Throwable cause) {
        super(Status.Code.RESOURCE_EXHAUSTED, reason, message, cause);
        this.retryAfter = retryAfter;
    }

    /** How long to wait before retrying, from the answer's google.rpc.RetryInfo (1 s when it had none). */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** {@link #retryAfter()} rounded up to whole seconds, at least 1. */
    @Override
    public long retryAfterSeconds() {
        return Math.max(1, retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0));
    }

    /** Always true: the load may have passed by then. */
    @Override
    public boolean isRetryable() {
        return true;
    }
}
