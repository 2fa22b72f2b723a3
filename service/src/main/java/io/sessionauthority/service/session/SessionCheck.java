package io.sessionauthority.service.session;

import java.util.Objects;

/** The answer to "is this token live?": a status, and the session when it is live. */
public record SessionCheck(SessionStatus status, Session session) {

    public SessionCheck {
        Objects.requireNonNull(status, "status");
        if ((status == SessionStatus.LIVE) != (session != null)) {
            throw new IllegalArgumentException("a session comes with LIVE, and only with LIVE");
        }
    }

    public static SessionCheck live(Session session) {
        return new SessionCheck(SessionStatus.LIVE, session);
    }

    public static SessionCheck notLive(SessionStatus status) {
        return new SessionCheck(status, null);
    }

    public boolean isLive() {
        return status == SessionStatus.LIVE;
    }
}
