package io.sessionauthority.service.error;

/** The request is well formed, but the state it needs is not there (no second factor to use, none to enroll). */
public final class PreconditionFailedException extends SessionAuthorityException {

    public PreconditionFailedException(String reason, String message) {
        super(reason, message);
    }
}
