package io.sessionauthority.service.error;

import java.util.Optional;

/**
 * The username or password is wrong. Deliberately one outcome for "no such user" and "wrong
 * password" on the wire, so the answer never tells which usernames exist. Inside the service it
 * remembers which user it was, when there was one, so the audit trail can name real accounts
 * without ever writing down a name that was never a username (it may be a mistyped password).
 */
public final class InvalidCredentialsException extends SessionAuthorityException {

    private final String userId;

    private InvalidCredentialsException(String userId) {
        super("INVALID_CREDENTIALS", "invalid username or password");
        this.userId = userId;
    }

    /** The username names no user. */
    public static InvalidCredentialsException unknownUser() {
        return new InvalidCredentialsException(null);
    }

    /** The user exists; the password is wrong (or changed while it was being checked). */
    public static InvalidCredentialsException wrongPassword(String userId) {
        return new InvalidCredentialsException(userId);
    }

    /** The user whose password was wrong; empty when the username named nobody. */
    public Optional<String> userId() {
        return Optional.ofNullable(userId);
    }
}
