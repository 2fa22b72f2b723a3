package io.sessionauthority.client;

import io.grpc.Status;

/**
 * The request is well formed but the state it needs is not there: no second factor to step up
 * with, one already active when enrolling, no encryption key configured at the authority. The
 * reason ({@code NO_SECOND_FACTOR}, {@code SECOND_FACTOR_ACTIVE}, …) says which.
 */
public final class FailedPreconditionException extends SessionAuthorityException {

    public FailedPreconditionException(Status.Code code, String reason, String message, Throwable cause) {
        super(code, reason, message, cause);
    }
}
