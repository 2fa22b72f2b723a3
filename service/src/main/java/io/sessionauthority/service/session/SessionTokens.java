package io.sessionauthority.service.session;

import io.sessionauthority.service.validation.Ids;
import io.sessionauthority.service.validation.UserBoundTokens;
import java.security.SecureRandom;

/**
 * Session tokens: {@value #PREFIX} and 64 URL-safe base64 characters, in the shape of
 * {@link UserBoundTokens}. The session id is the token's one-way id: the store keeps sessions
 * under it, never under the token.
 */
public final class SessionTokens {

    public static final String PREFIX = "sat1_";
    private static final UserBoundTokens FORMAT = new UserBoundTokens(PREFIX, "session-authority/session-id/v1", "session token");
    public static final int TOKEN_LENGTH = FORMAT.length();

    private final SecureRandom random;

    public SessionTokens(SecureRandom random) {
        this.random = random;
    }

    /** A token issued to a user, and the session id derived from it. */
    public record Issued(String token, String userId, String sessionId) {
        @Override
        public String toString() {
            return "Issued[userId=" + userId + ", sessionId=" + sessionId + ", token=<redacted>]";
        }
    }

    /** What a well-formed token names. */
    public record Reference(String userId, String sessionId) {
    }

    public Issued issue(String userId) {
        UserBoundTokens.Issued issued = FORMAT.issue(userId, random);
        return new Issued(issued.token(), userId, issued.id());
    }

    /**
     * Reads a token, failing with INVALID_ARGUMENT (naming {@code field}) unless it has the token
     * format. A well-formed token may still name no session.
     */
    public static Reference parse(String field, String token) {
        UserBoundTokens.Parsed parsed = FORMAT.parse(field, token);
        return new Reference(parsed.userId(), parsed.id());
    }

    /** Whether {@code value} looks like a session id (22 URL-safe base64 characters). */
    public static boolean isSessionId(String value) {
        return Ids.isWellFormed(value);
    }

    static String sessionIdOf(String token) {
        return FORMAT.idOf(token);
    }
}
