package io.sessionauthority.service.error;

/** A request field is missing, malformed or out of bounds. Nothing was written. */
public final class InvalidArgumentException extends SessionAuthorityException {

    private final String field;

    public InvalidArgumentException(String field, String message) {
        super("INVALID_FIELD", field + ": " + message);
        this.field = field;
    }

    /** The request field at fault, in proto field-path form (for example {@code client.user_agent}). */
    public String field() {
        return field;
    }
}
