package io.sessionauthority.service.revocation;

import java.time.Instant;
import java.util.Objects;

/**
 * One event that ended sessions: one session of a user ({@code sessionId}), or every session of a
 * user ({@code sessionId} empty) except {@code exceptSessionId} when that is not empty.
 *
 * @param cursor where the event sits in the revocation log; empty before it was appended
 */
public record Revocation(String cursor, String userId, String sessionId, String exceptSessionId, EndReason reason, Instant time) {

    public Revocation {
        Objects.requireNonNull(cursor);
        Objects.requireNonNull(userId);
        Objects.requireNonNull(sessionId);
        Objects.requireNonNull(exceptSessionId);
        Objects.requireNonNull(reason);
        Objects.requireNonNull(time);
    }

    /** One session ended. */
    public static Revocation ofSession(String userId, String sessionId, EndReason reason, Instant time) {
        return new Revocation("", userId, sessionId, "", reason, time);
    }

    /** Every session of a user ended but {@code exceptSessionId} ("" for none). */
    public static Revocation ofAllSessions(String userId, String exceptSessionId, EndReason reason, Instant time) {
        return new Revocation("", userId, "", exceptSessionId, reason, time);
    }

    public Revocation at(String cursor) {
        return new Revocation(cursor, userId, sessionId, exceptSessionId, reason, time);
    }
}
