package io.sessionauthority.service.error;

/**
 * The caller gave up (its deadline passed, or it cancelled) before the work began: a password is
 * never hashed, and a session never created, for nobody. CANCELLED, which no one is left to read.
 */
public final class CallerGoneException extends SessionAuthorityException {

    public CallerGoneException() {
        super("CALLER_GONE", "the caller gave up before its login was checked");
    }
}
