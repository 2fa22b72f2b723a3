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
        this(userId, "INVALID_CREDENTIALS", "invalid username or password");
    }

    private InvalidCredentialsException(String userId, String reason, String message) {
        super(reason, message);
        this.userId = userId;
    }

    /** A second-factor code that is wrong, used already, or a recovery code that is not (or no longer) the user's. */
    public static InvalidCredentialsException wrongCode(String userId) {
        return new InvalidCredentialsException(userId, "INVALID_SECOND_FACTOR", "invalid or already used second-factor code");
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
