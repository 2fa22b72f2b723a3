package io.sessionauthority.service.session;

import io.sessionauthority.service.revocation.EndReason;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to "is this token live?": a status, the session when it is live, and why it ended
 * when the store still remembers (EXPIRED or REVOKED; null otherwise, or for sessions that ended
 * before reasons were recorded).
 */
public record SessionCheck(SessionStatus status, Session session, EndReason endReason, TokenStatus token, Requirement unmet) {

    /**
     * What the answer says about the presented token rather than its session: accepted only until
     * {@code graceEnd} (it was replaced; null when current), due for rotation, or replaced just now
     * by {@code newToken} (empty when not).
     */
    public record TokenStatus(java.time.Instant graceEnd, boolean refreshDue, String newToken) {
        public static final TokenStatus CURRENT = new TokenStatus(null, false, "");

        public TokenStatus {
            Objects.requireNonNull(newToken);
        }

        @Override
        public String toString() {
            return "TokenStatus[graceEnd=" + graceEnd + ", refreshDue=" + refreshDue + ", newToken="
                    + (newToken.isEmpty() ? "" : "<redacted>") + "]";
        }
    }

    public SessionCheck(SessionStatus status, Session session, EndReason endReason) {
        this(status, session, endReason, TokenStatus.CURRENT, null);
    }

    public SessionCheck(SessionStatus status, Session session, EndReason endReason, TokenStatus token) {
        this(status, session, endReason, token, null);
    }

    /**
     * The live session of this check does not meet {@code requirement}: a STEP_UP_REQUIRED answer
     * that still names the session (whose user must step up) and what was asked.
     */
    public SessionCheck stepUpRequired(Requirement requirement) {
        return new SessionCheck(SessionStatus.STEP_UP_REQUIRED, session, null, token, requirement);
    }

    public SessionCheck {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(status, "status");
        boolean named = status == SessionStatus.LIVE || status == SessionStatus.STEP_UP_REQUIRED;
        if (named != (session != null)) {
            throw new IllegalArgumentException("a session comes with LIVE or STEP_UP_REQUIRED, and only with them");
        }
        if ((status == SessionStatus.STEP_UP_REQUIRED) != (unmet != null)) {
            throw new IllegalArgumentException("STEP_UP_REQUIRED says what was asked, and only it does");
        }
        if (endReason != null && status != SessionStatus.EXPIRED && status != SessionStatus.REVOKED) {
            throw new IllegalArgumentException("only an ended session has an end reason");
        }
    }

    public static SessionCheck live(Session session) {
        return new SessionCheck(SessionStatus.LIVE, session, null);
    }

    public static SessionCheck notLive(SessionStatus status) {
        return new SessionCheck(status, null, null);
    }

    /** An ended session, with why it ended ({@code reason} may be null: not remembered). */
    public static SessionCheck ended(SessionStatus status, EndReason reason) {
        return new SessionCheck(status, null, reason);
    }

    /** This answer about the presented token {@code status}. */
    public SessionCheck withToken(TokenStatus status) {
        return new SessionCheck(this.status, session, endReason, status, unmet);
    }

    public boolean isLive() {
        return status == SessionStatus.LIVE;
    }

    public Optional<EndReason> reason() {
        return Optional.ofNullable(endReason);
    }
}
