package io.sessionauthority.service.error;

/** A concurrent change won the race for the same record; the caller may re-read and retry. */
public final class ConflictException extends SessionAuthorityException {

    public ConflictException(String reason, String message) {
        super(reason, message);
    }
}
