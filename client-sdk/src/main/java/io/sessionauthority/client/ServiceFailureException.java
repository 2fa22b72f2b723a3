package io.sessionauthority.client;

import io.grpc.Status;

/** Any other failure (INTERNAL, ABORTED, …): the service log has the details. */
public final class ServiceFailureException extends SessionAuthorityException {

    public ServiceFailureException(Status.Code code, String reason, String message, Throwable cause) {
        super(code, reason, message, cause);
    }
}
