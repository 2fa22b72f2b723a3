package io.sessionauthority.client;

import io.grpc.Status;

/** What the request would create exists already, such as a taken username. */
public final class AlreadyExistsException extends SessionAuthorityException {

    public AlreadyExistsException(Status.Code code, String reason, String message, Throwable cause) {
        super(code, reason, message, cause);
    }
}
