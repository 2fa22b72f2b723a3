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
        Map<String, String> attributes,
        TokenGenerations tokens,
        Authentication authentication) {

    public Session {
        attributes = Map.copyOf(attributes);
        java.util.Objects.requireNonNull(tokens, "tokens");
        java.util.Objects.requireNonNull(authentication, "authentication");
    }

    /** A password-only session. */
    public Session(String sessionId, String userId, String username, Instant createTime, Instant expireTime, Instant idleExpireTime,
                   Instant lastSeenTime, ClientInfo client, Map<String, String> attributes, TokenGenerations tokens) {
        this(sessionId, userId, username, createTime, expireTime, idleExpireTime, lastSeenTime, client, attributes, tokens,
                Authentication.PASSWORD_AT_LOGIN);
    }

    /** A session whose token was never rotated. */
    public Session(String sessionId, String userId, String username, Instant createTime, Instant expireTime, Instant idleExpireTime,
                   Instant lastSeenTime, ClientInfo client, Map<String, String> attributes) {
        this(sessionId, userId, username, createTime, expireTime, idleExpireTime, lastSeenTime, client, attributes,
                TokenGenerations.ORIGINAL);
    }

    /** This session as seen by the holder of a token that authenticated as {@code authentication}. */
    public Session withAuthentication(Authentication authentication) {
        return new Session(sessionId, userId, username, createTime, expireTime, idleExpireTime, lastSeenTime, client, attributes,
                tokens, authentication);
    }

    /** When the session's user last authenticated: its login, or its latest step-up. */
    public Instant authTime() {
        return authentication.timeOr(createTime);
    }

    /** When the session's current token was handed out. */
    public Instant tokenIssuedTime() {
        return tokens.currentIssuedAt(createTime);
    }

    /** Live at {@code now}: before both its idle and its absolute expiry. */
    public boolean isLiveAt(Instant now) {
        return now.isBefore(idleExpireTime) && now.isBefore(expireTime);
    }
}
