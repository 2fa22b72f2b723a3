package io.sessionauthority.client;

import io.sessionauthority.v1.InvalidReason;
import io.sessionauthority.v1.Session;
import io.sessionauthority.v1.SessionEndReason;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.ValidateResponse;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to "is this token live?": either a live {@link Session}, or the {@link Reason} it is
 * not. An invalid token is an answer, not an exception, and so is one that is not a token at all
 * ({@link Reason#MALFORMED}): whatever a client sends in its Authorization header, the answer is
 * "no session", never an error to handle.
 */
public final class ValidationResult {

    /** Why a token names no live session. */
    public enum Reason {
        /** The token is valid. */
        NONE,
        /** Not a session token at all (wrong shape); the authority was not even asked. */
        MALFORMED,
        /** No such session: never existed, or ended long enough ago to be forgotten. */
        UNKNOWN,
        /** It reached its idle or absolute expiry. */
        EXPIRED,
        /** It was ended: logout, an administrator, a password change, a newer login past the cap. */
        REVOKED
    }

    private static final ValidationResult MALFORMED = new ValidationResult(null, Reason.MALFORMED, SessionEndReason.SESSION_END_REASON_UNSPECIFIED);

    private final Session session;
    private final Reason reason;
    private final SessionEndReason endReason;

    private ValidationResult(Session session, Reason reason, SessionEndReason endReason) {
        this.session = session;
        this.reason = reason;
        this.endReason = endReason;
    }

    /** A live session. */
    public static ValidationResult valid(Session session) {
        return new ValidationResult(Objects.requireNonNull(session, "session"), Reason.NONE, SessionEndReason.SESSION_END_REASON_UNSPECIFIED);
    }

    /** A token that names no live session, and why. */
    public static ValidationResult invalid(Reason reason) {
        return invalid(reason, SessionEndReason.SESSION_END_REASON_UNSPECIFIED);
    }

    /** A token whose session ended, and the authority's typed reason for the end. */
    public static ValidationResult invalid(Reason reason, SessionEndReason endReason) {
        if (Objects.requireNonNull(reason, "reason") == Reason.NONE) {
            throw new IllegalArgumentException("an invalid result needs a reason other than NONE");
        }
        Objects.requireNonNull(endReason, "endReason");
        return reason == Reason.MALFORMED ? MALFORMED : new ValidationResult(null, reason, endReason);
    }

    /** Not a session token at all. */
    public static ValidationResult malformed() {
        return MALFORMED;
    }

    static ValidationResult of(ValidateResponse response) {
        return response.getValid() ? valid(response.getSession()) : invalid(reasonOf(response.getReason()), response.getEndReason());
    }

    static ValidationResult of(TouchResponse response) {
        return response.getValid() ? valid(response.getSession()) : invalid(reasonOf(response.getReason()), response.getEndReason());
    }

    static Reason reasonOf(InvalidReason reason) {
        return switch (reason) {
            case INVALID_REASON_EXPIRED -> Reason.EXPIRED;
            case INVALID_REASON_REVOKED -> Reason.REVOKED;
            // Newer reasons the authority may add are still "no session": unknown to this client.
            default -> Reason.UNKNOWN;
        };
    }

    /** Whether the token belongs to a live session. */
    public boolean isValid() {
        return session != null;
    }

    /** The live session; empty when the token is not valid. */
    public Optional<Session> session() {
        return Optional.ofNullable(session);
    }

    /** Why the token is not valid; {@link Reason#NONE} when it is. */
    public Reason reason() {
        return reason;
    }

    /**
     * Why the session ended — logout, administrator, revoke-all, password change, session limit,
     * idle or absolute expiry — when the token's session ended recently enough for the authority to
     * remember; {@code SESSION_END_REASON_UNSPECIFIED} otherwise (valid, unknown or malformed tokens).
     */
    public SessionEndReason endReason() {
        return endReason;
    }

    @Override
    public String toString() {
        return isValid()
                ? "ValidationResult[valid, session=" + session.getSessionId() + ", user=" + session.getUserId() + "]"
                : "ValidationResult[invalid, reason=" + reason + ", endReason=" + endReason + "]";
    }
}
