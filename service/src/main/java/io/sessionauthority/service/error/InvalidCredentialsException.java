package io.sessionauthority.service.error;

/**
 * The username or password is wrong. Deliberately one outcome for "no such user" and "wrong
 * password", so the answer never tells which usernames exist.
 */
public final class InvalidCredentialsException extends SessionAuthorityException {

    public InvalidCredentialsException() {
        super("INVALID_CREDENTIALS", "invalid username or password");
    }

    /** For calls naming the user by id, where only the password can be wrong. */
    public static InvalidCredentialsException wrongPassword() {
        return new InvalidCredentialsException();
    }
}
