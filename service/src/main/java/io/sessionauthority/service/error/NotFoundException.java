package io.sessionauthority.service.error;

/** The resource a request names does not exist. */
public final class NotFoundException extends SessionAuthorityException {

    public NotFoundException(String reason, String message) {
        super(reason, message);
    }

    public static NotFoundException user(String userId) {
        return new NotFoundException("USER_NOT_FOUND", "no user with id " + userId);
    }
}
