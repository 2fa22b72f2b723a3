package io.sessionauthority.service.session;

import io.sessionauthority.service.revocation.EndReason;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to "is this token live?": a status, the session when it is live, and why it ended
 * when the store still remembers (EXPIRED or REVOKED; null otherwise, or for sessions that ended
 * before reasons were recorded).
 */
public record SessionCheck(SessionStatus status, Session session, EndReason endReason) {

    public SessionCheck {
        Objects.requireNonNull(status, "status");
        if ((status == SessionStatus.LIVE) != (session != null)) {
            throw new IllegalArgumentException("a session comes with LIVE, and only with LIVE");
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

    public boolean isLive() {
        return status == SessionStatus.LIVE;
    }

    public Optional<EndReason> reason() {
        return Optional.ofNullable(endReason);
    }
}
