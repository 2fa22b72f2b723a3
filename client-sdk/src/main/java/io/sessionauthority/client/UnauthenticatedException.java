package io.sessionauthority.client;

import io.grpc.Status;

/** The credentials were wrong: an unknown username and a wrong password look the same, on purpose. */
public final class UnauthenticatedException extends SessionAuthorityException {

    public UnauthenticatedException(Status.Code code, String reason, String message, Throwable cause) {
        super(code, reason, message, cause);
    }
}
