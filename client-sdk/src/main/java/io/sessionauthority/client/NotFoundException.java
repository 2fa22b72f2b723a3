package io.sessionauthority.client;

import io.grpc.Status;

/** The user (or other resource) the request names does not exist. */
public final class NotFoundException extends SessionAuthorityException {

    public NotFoundException(Status.Code code, String reason, String message, Throwable cause) {
        super(code, reason, message, cause);
    }
}
