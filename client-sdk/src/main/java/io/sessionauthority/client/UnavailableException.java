package io.sessionauthority.client;

import io.grpc.Status;

/** The service or its Redis could not answer in time (UNAVAILABLE or DEADLINE_EXCEEDED). Retry with backoff. */
public final class UnavailableException extends SessionAuthorityException {

    public UnavailableException(Status.Code code, String reason, String message, Throwable cause) {
        super(code, reason, message, cause);
    }

    /** Always true: the outage may be over by the next try. */
    @Override
    public boolean isRetryable() {
        return true;
    }
}
