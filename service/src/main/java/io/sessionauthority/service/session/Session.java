package io.sessionauthority.service.session;

import java.time.Instant;
import java.util.Map;

/**
 * A live login. Holds no token: the token is shown once, at login, and only its hash-derived
 * {@link #sessionId()} is ever kept or logged.
 */
public record Session(
        String sessionId,
        String userId,
        String username,
        Instant createTime,
        Instant expireTime,
        Instant idleExpireTime,
        Instant lastSeenTime,
        ClientInfo client,
        Map<String, String> attributes) {

    public Session {
        attributes = Map.copyOf(attributes);
    }

    /** Live at {@code now}: before both its idle and its absolute expiry. */
    public boolean isLiveAt(Instant now) {
        return now.isBefore(idleExpireTime) && now.isBefore(expireTime);
    }
}
