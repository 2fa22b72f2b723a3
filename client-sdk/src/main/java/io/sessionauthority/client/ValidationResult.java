package io.sessionauthority.client;

import io.sessionauthority.v1.InvalidReason;
import io.sessionauthority.v1.Session;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.ValidateResponse;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to "is this token live?": either a live {@link Session}, or the reason it is not
 * (unknown, expired, revoked). An invalid token is an answer, not an exception.
 */
public final class ValidationResult {

    private final Session session;
    private final InvalidReason reason;

    private ValidationResult(Session session, InvalidReason reason) {
        this.session = session;
        this.reason = reason;
    }

    /** A live session. */
    public static ValidationResult valid(Session session) {
        return new ValidationResult(Objects.requireNonNull(session, "session"), InvalidReason.INVALID_REASON_UNSPECIFIED);
    }

    /** A token that names no live session, and why. */
    public static ValidationResult invalid(InvalidReason reason) {
        return new ValidationResult(null, Objects.requireNonNull(reason, "reason"));
    }

    static ValidationResult of(ValidateResponse response) {
        return response.getValid() ? valid(response.getSession()) : invalid(response.getReason());
    }

    static ValidationResult of(TouchResponse response) {
        return response.getValid() ? valid(response.getSession()) : invalid(response.getReason());
    }

    /** Whether the token belongs to a live session. */
    public boolean isValid() {
        return session != null;
    }

    /** The live session; empty when the token is not valid. */
    public Optional<Session> session() {
        return Optional.ofNullable(session);
    }

    /** Why the token is not valid; {@code INVALID_REASON_UNSPECIFIED} when it is. */
    public InvalidReason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return isValid()
                ? "ValidationResult[valid, session=" + session.getSessionId() + ", user=" + session.getUserId() + "]"
                : "ValidationResult[invalid, reason=" + reason + "]";
    }
}
