package io.sessionauthority.client;

import io.grpc.Status;

/** This caller is not allowed to make this call. */
public final class PermissionDeniedException extends SessionAuthorityException {

    public PermissionDeniedException(Status.Code code, String reason, String message, Throwable cause) {
        super(code, reason, message, cause);
    }
}
