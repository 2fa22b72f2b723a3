package io.sessionauthority.client;

import io.grpc.Status;
import java.util.List;

/**
 * A login refused because its user already has the most live sessions allowed, under the
 * deny-new session-limit policy (FAILED_PRECONDITION, reason {@code SESSION_LIMIT_REACHED}). Show
 * the user {@link #liveSessions()} and log in again with
 * {@code LoginRequest.replace_session_id} set to the one they choose to end.
 */
public final class SessionLimitReachedException extends SessionAuthorityException {

    private final int maxSessions;
    private final transient List<SessionInfo> liveSessions;

    public SessionLimitReachedException(String reason, String message, int maxSessions, List<SessionInfo> liveSessions, Throwable cause) {
        super(Status.Code.FAILED_PRECONDITION, reason, message, cause);
        this.maxSessions = maxSessions;
        this.liveSessions = List.copyOf(liveSessions);
    }

    /** The most live sessions the user may have, as applied to the refused login. */
    public int maxSessions() {
        return maxSessions;
    }

    /** The user's live sessions, the least recently used first: the ones they could end to make room. */
    public List<SessionInfo> liveSessions() {
        return liveSessions;
    }
}
