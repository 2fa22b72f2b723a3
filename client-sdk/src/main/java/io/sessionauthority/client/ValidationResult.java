package io.sessionauthority.client;

import io.sessionauthority.v1.InvalidReason;
import io.sessionauthority.v1.RefreshResponse;
import io.sessionauthority.v1.SessionEndReason;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.ValidateResponse;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to "is this token live?": either a live {@link SessionInfo}, or the {@link Reason} it is
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
        REVOKED,
        /**
         * Live, but authenticated less strongly or longer ago than asked ({@link Assurance}), or a
         * login awaiting its second factor: its user steps up ({@link SessionAuthorityClient#stepUp}).
         */
        STEP_UP_REQUIRED
    }

    /** Why a session ended, when the authority still remembers. */
    public enum EndReason {
        /** Not ended (a valid token), or not remembered (unknown, malformed). */
        NONE,
        /** The user logged out: the token itself was revoked. */
        LOGOUT,
        /** An administrator ended this session. */
        ADMIN_REVOKE,
        /** Every session of the user was ended at once ("log out everywhere"). */
        REVOKE_ALL,
        /** The user's password changed. */
        PASSWORD_CHANGE,
        /** A newer login went past the user's session limit. */
        SESSION_LIMIT,
        /** The session was not used for its idle timeout. */
        IDLE_EXPIRY,
        /** The session reached its absolute lifetime. */
        ABSOLUTE_EXPIRY,
        /**
         * A token the session had replaced (a rotation) was presented after its grace: someone kept
         * a copy of it, so the session ended for both holders.
         */
        TOKEN_REUSE,
        /** A reason newer than this SDK: the session ended all the same. */
        OTHER;

        static EndReason of(SessionEndReason reason) {
            return switch (reason) {
                case SESSION_END_REASON_UNSPECIFIED -> NONE;
                case SESSION_END_REASON_LOGOUT -> LOGOUT;
                case SESSION_END_REASON_ADMIN_REVOKE -> ADMIN_REVOKE;
                case SESSION_END_REASON_REVOKE_ALL -> REVOKE_ALL;
                case SESSION_END_REASON_PASSWORD_CHANGE -> PASSWORD_CHANGE;
                case SESSION_END_REASON_SESSION_LIMIT -> SESSION_LIMIT;
                case SESSION_END_REASON_IDLE_EXPIRY -> IDLE_EXPIRY;
                case SESSION_END_REASON_ABSOLUTE_EXPIRY -> ABSOLUTE_EXPIRY;
                case SESSION_END_REASON_TOKEN_REUSE -> TOKEN_REUSE;
                default -> OTHER;
            };
        }
    }

    private static final ValidationResult MALFORMED = new ValidationResult(null, Reason.MALFORMED, EndReason.NONE);

    private final SessionInfo session;
    private final Reason reason;
    private final EndReason endReason;
    private final boolean refreshDue;
    private final String newToken;
    private final java.time.Instant tokenGraceEnd;

    private ValidationResult(SessionInfo session, Reason reason, EndReason endReason) {
        this(session, reason, endReason, false, "", null);
    }

    private ValidationResult(SessionInfo session, Reason reason, EndReason endReason, boolean refreshDue, String newToken,
                             java.time.Instant tokenGraceEnd) {
        this.session = session;
        this.reason = reason;
        this.endReason = endReason;
        this.refreshDue = refreshDue;
        this.newToken = newToken;
        this.tokenGraceEnd = tokenGraceEnd;
    }

    /** A live session. */
    public static ValidationResult valid(SessionInfo session) {
        return new ValidationResult(Objects.requireNonNull(session, "session"), Reason.NONE, EndReason.NONE);
    }

    /** A token that names no live session, and why. */
    public static ValidationResult invalid(Reason reason) {
        return invalid(reason, EndReason.NONE);
    }

    /** A token whose session ended, and the authority's typed reason for the end. */
    public static ValidationResult invalid(Reason reason, EndReason endReason) {
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
        return response.getValid()
                ? new ValidationResult(SessionInfo.of(response.getSession()), Reason.NONE, EndReason.NONE, response.getRefreshDue(), "",
                        graceEnd(response.hasTokenGraceEndTime(), response.getTokenGraceEndTime()))
                : invalid(reasonOf(response.getReason()), EndReason.of(response.getEndReason()));
    }

    static ValidationResult of(TouchResponse response) {
        return response.getValid()
                ? new ValidationResult(SessionInfo.of(response.getSession()), Reason.NONE, EndReason.NONE, false, response.getToken(),
                        graceEnd(response.hasTokenGraceEndTime(), response.getTokenGraceEndTime()))
                : invalid(reasonOf(response.getReason()), EndReason.of(response.getEndReason()));
    }

    static ValidationResult of(RefreshResponse response) {
        return response.getValid()
                ? new ValidationResult(SessionInfo.of(response.getSession()), Reason.NONE, EndReason.NONE, false, response.getToken(),
                        graceEnd(response.hasPreviousTokenGraceEndTime(), response.getPreviousTokenGraceEndTime()))
                : invalid(reasonOf(response.getReason()), EndReason.of(response.getEndReason()));
    }

    static ValidationResult of(io.sessionauthority.v1.StepUpResponse response) {
        return response.getValid()
                ? new ValidationResult(SessionInfo.of(response.getSession()), Reason.NONE, EndReason.NONE, false, response.getToken(),
                        graceEnd(response.hasPreviousTokenGraceEndTime(), response.getPreviousTokenGraceEndTime()))
                : invalid(reasonOf(response.getReason()), EndReason.of(response.getEndReason()));
    }

    private static java.time.Instant graceEnd(boolean present, com.google.protobuf.Timestamp time) {
        return present ? java.time.Instant.ofEpochSecond(time.getSeconds(), time.getNanos()) : null;
    }

    static Reason reasonOf(InvalidReason reason) {
        return switch (reason) {
            case INVALID_REASON_EXPIRED -> Reason.EXPIRED;
            case INVALID_REASON_REVOKED -> Reason.REVOKED;
            case INVALID_REASON_STEP_UP_REQUIRED -> Reason.STEP_UP_REQUIRED;
            // Newer reasons the authority may add are still "no session": unknown to this client.
            default -> Reason.UNKNOWN;
        };
    }

    /** Whether the token belongs to a live session. */
    public boolean isValid() {
        return session != null;
    }

    /** The live session; empty when the token is not valid. */
    public Optional<SessionInfo> session() {
        return Optional.ofNullable(session);
    }

    /** Why the token is not valid; {@link Reason#NONE} when it is. */
    public Reason reason() {
        return reason;
    }

    /**
     * Why the session ended — logout, administrator, revoke-all, password change, session limit,
     * idle or absolute expiry — when the token's session ended recently enough for the authority to
     * remember; {@link EndReason#NONE} otherwise (valid, unknown or malformed tokens).
     */
    public EndReason endReason() {
        return endReason;
    }

    /**
     * Whether the token is due for rotation (the deployment rotates tokens once they are
     * {@code session-authority.sessions.rotate-after} old): exchange it with
     * {@link SessionAuthorityClient#refresh} and hand the new token to its holder. Always false
     * when the deployment does not rotate automatically.
     */
    public boolean refreshDue() {
        return refreshDue;
    }

    /**
     * The session's new token, after a {@link SessionAuthorityClient#refresh Refresh} (or a Touch
     * that rotated): hand it to the token's holder, whose old token stops working at
     * {@link #tokenGraceEnd()}. Empty when nothing was rotated.
     */
    public Optional<String> newToken() {
        return newToken.isEmpty() ? Optional.empty() : Optional.of(newToken);
    }

    /**
     * When the presented token stops being accepted, when it was replaced by a rotation (it works
     * only for the grace that follows); empty for a current token.
     */
    public Optional<java.time.Instant> tokenGraceEnd() {
        return Optional.ofNullable(tokenGraceEnd);
    }

    @Override
    public String toString() {
        return isValid()
                ? "ValidationResult[valid, session=" + session.sessionId() + ", user=" + session.userId() + "]"
                : "ValidationResult[invalid, reason=" + reason + ", endReason=" + endReason + "]";
    }
}
