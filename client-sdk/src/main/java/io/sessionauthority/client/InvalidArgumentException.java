package io.sessionauthority.client;

import io.grpc.Status;

/** The request was malformed; {@link #field()} names the offending field when the service told. */
public final class InvalidArgumentException extends SessionAuthorityException {

    private final String field;

    public InvalidArgumentException(String reason, String message, String field, Throwable cause) {
        super(Status.Code.INVALID_ARGUMENT, reason, message, cause);
        this.field = field;
    }

    /** The request field at fault (for example {@code client.user_agent}), or empty. */
    public String field() {
        return field;
    }
}
