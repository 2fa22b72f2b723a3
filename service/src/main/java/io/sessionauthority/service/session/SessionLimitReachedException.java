package io.sessionauthority.service.session;

import io.sessionauthority.service.error.SessionAuthorityException;
import java.util.List;

/**
 * A login refused under {@link SessionLimit.Policy#DENY_NEW}: the user already has {@code maxSessions}
 * live sessions. Carries them (least recently used first), so the user can pick one to end; the
 * password was checked before, so they are only ever shown to someone who knows it.
 */
public final class SessionLimitReachedException extends SessionAuthorityException {

    private final String userId;
    private final int maxSessions;
    private final transient List<Session> liveSessions;

    public SessionLimitReachedException(String userId, int maxSessions, List<Session> liveSessions) {
        super("SESSION_LIMIT_REACHED", "the user already has " + maxSessions + " live session" + (maxSessions == 1 ? "" : "s")
                + ", the most allowed; end one (LoginRequest.replace_session_id, or Revoke) and log in again");
        this.userId = userId;
        this.maxSessions = maxSessions;
        this.liveSessions = List.copyOf(liveSessions);
    }

    /** The user refused (whose password was right). */
    public String userId() {
        return userId;
    }

    public int maxSessions() {
        return maxSessions;
    }

    /** The user's live sessions, least recently used first; empty as the store reports the refusal. */
    public List<Session> liveSessions() {
        return liveSessions;
    }
}
