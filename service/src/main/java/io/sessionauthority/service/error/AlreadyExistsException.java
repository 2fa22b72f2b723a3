package io.sessionauthority.service.error;

/** The resource a request would create exists already. */
public final class AlreadyExistsException extends SessionAuthorityException {

    public AlreadyExistsException(String reason, String message) {
        super(reason, message);
    }

    public static AlreadyExistsException username(String username) {
        return new AlreadyExistsException("USERNAME_TAKEN", "the username '" + username + "' is taken");
    }
}
