package io.sessionauthority.service.session;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.validation.Checks;
import io.sessionauthority.service.validation.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Issues and reads session tokens.
 *
 * <p>A token is {@value #PREFIX} followed by 64 URL-safe base64 characters: the 16-byte user id, then
 * 32 bytes (256 bits) from a {@link SecureRandom}. The prefix lets secret scanners find leaked tokens.
 * The user id rides along so the store can keep every key of one user in one Redis Cluster slot.
 *
 * <p>Nothing of the token is stored. The session id is the first 128 bits of SHA-256 over a fixed,
 * versioned label and the whole token, so the store finds the session by a one-way function of the token: a Redis dump, replica or
 * backup yields no usable token, and looking a session up is itself the comparison (no secret is
 * ever compared byte by byte).
 */
public final class SessionTokens {

    public static final String PREFIX = "sat1_";
    static final int SECRET_BYTES = 32;
    static final int BODY_BYTES = Ids.BYTES + SECRET_BYTES;
    static final int BODY_CHARS = 64; // 48 bytes in base64 without padding
    public static final int TOKEN_LENGTH = PREFIX.length() + BODY_CHARS;
    static final int SESSION_ID_BYTES = 16;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final byte[] SESSION_ID_CONTEXT = "session-authority/session-id/v1\0".getBytes(StandardCharsets.US_ASCII);

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
        byte[] body = new byte[BODY_BYTES];
        System.arraycopy(Ids.decode(userId), 0, body, 0, Ids.BYTES);
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        System.arraycopy(secret, 0, body, Ids.BYTES, SECRET_BYTES);
        String token = PREFIX + ENCODER.encodeToString(body);
        Arrays.fill(secret, (byte) 0);
        Arrays.fill(body, (byte) 0);
        return new Issued(token, userId, sessionIdOf(token));
    }

    /**
     * Reads a token, failing with INVALID_ARGUMENT (naming {@code field}) unless it has the token
     * format. A well-formed token may still name no session.
     */
    public static Reference parse(String field, String token) {
        Checks.requireNonEmpty(field, token);
        if (token.length() != TOKEN_LENGTH) {
            throw new InvalidArgumentException(field, "is not a session token (expected " + TOKEN_LENGTH
                    + " characters, got " + token.length() + ")");
        }
        if (!token.startsWith(PREFIX)) {
            throw new InvalidArgumentException(field, "is not a session token (expected the prefix " + PREFIX + ")");
        }
        String body = token.substring(PREFIX.length());
        if (!Ids.isBase64Url(body)) {
            throw new InvalidArgumentException(field, "is not a session token (unexpected characters)");
        }
        byte[] bytes = Base64.getUrlDecoder().decode(body);
        String userId = Ids.encode(Arrays.copyOf(bytes, Ids.BYTES));
        if (!(PREFIX + ENCODER.encodeToString(bytes)).equals(token)) {
            throw new InvalidArgumentException(field, "is not a session token (not in canonical form)");
        }
        return new Reference(userId, sessionIdOf(token));
    }

    /** Whether {@code value} looks like a session id (22 URL-safe base64 characters). */
    public static boolean isSessionId(String value) {
        return Ids.isWellFormed(value);
    }

    static String sessionIdOf(String token) {
        MessageDigest sha256 = sha256();
        sha256.update(SESSION_ID_CONTEXT);
        byte[] digest = sha256.digest(token.getBytes(StandardCharsets.US_ASCII));
        return ENCODER.encodeToString(Arrays.copyOf(digest, SESSION_ID_BYTES));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
