package io.sessionauthority.service.session;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.validation.Checks;
import io.sessionauthority.service.validation.Ids;
import io.sessionauthority.service.validation.Sha256;
import io.sessionauthority.service.validation.UserBoundTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Session tokens, in two forms.
 *
 * <p>A login hands out {@value #PREFIX} and 64 URL-safe base64 characters, in the shape of
 * {@link UserBoundTokens}: the user id and a 256-bit secret S. The session id is that token's
 * one-way id: the store keeps sessions under it, never under the token.
 *
 * <p>A rotation (Refresh) hands out {@value #ROTATED_PREFIX} and 107 characters: the same user id
 * and S, then a 256-bit generation secret R. Its session id is still the id of the login's token
 * (rebuilt from the user id and S), so a session keeps one id for its whole life: the revocation
 * stream, ListSessions, a revoke by id and every cache go on naming it the same. What tells the
 * generations apart is the validator, a one-way id of R (of S for the login's token), which the
 * session stores for its current and its previous token. R of the next generation is derived from
 * R of this one and a random nonce the session stores: a Refresh racing another with the same
 * token, within the grace, derives the very token the first one handed out, while nobody without
 * R, not even someone holding a copy of Redis, can.
 *
 * <p>Holding S (any token of the session, ever) is what a validator that matches neither stored
 * one proves: only such a holder can name the session at all. That is why presenting a replaced
 * token after its grace ends the session (theft detection), while knowing a session id (it is not
 * secret: ListSessions shows it) buys nothing.
 */
public final class SessionTokens {

    public static final String PREFIX = "sat1_";
    public static final String ROTATED_PREFIX = "sat2_";
    private static final UserBoundTokens FORMAT = new UserBoundTokens(PREFIX, "session-authority/session-id/v1", "session token");
    public static final int TOKEN_LENGTH = FORMAT.length();

    private static final int SECRET_BYTES = 32;
    private static final int ROTATED_BYTES = Ids.BYTES + 2 * SECRET_BYTES;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    public static final int ROTATED_TOKEN_LENGTH = ROTATED_PREFIX.length() + ENCODER.encodeToString(new byte[ROTATED_BYTES]).length();
    private static final byte[] VALIDATOR_LABEL = "session-authority/token-validator/v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DERIVATION_LABEL = "session-authority/token-rotation/v1\0".getBytes(StandardCharsets.US_ASCII);
    static final int NONCE_BYTES = 16;

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

    /**
     * What a well-formed token names: its user and session, and which generation of the session's
     * token it is (its {@link #validator()}; {@link #original()} for the login's token). Holds the
     * token's secrets, to derive the next generation: never logged.
     */
    public static final class Reference {
        private final String userId;
        private final String sessionId;
        private String validator; // computed on first use: a never-rotated session's Validate needs none
        private final boolean original;
        private final byte[] sessionSecret;
        private final byte[] generationSecret;

        private Reference(String userId, String sessionId, boolean original, byte[] sessionSecret, byte[] generationSecret) {
            this.userId = userId;
            this.sessionId = sessionId;
            this.original = original;
            this.sessionSecret = sessionSecret;
            this.generationSecret = generationSecret;
        }

        public String userId() {
            return userId;
        }

        public String sessionId() {
            return sessionId;
        }

        /** The one-way id of this token's generation, as the session stores it (tk, tp). */
        public String validator() {
            String computed = validator;
            if (computed == null) {
                validator = computed = validatorOf(generationSecret);
            }
            return computed;
        }

        /** Whether this is the token the login handed out (generation 0). */
        public boolean original() {
            return original;
        }

        @Override
        public String toString() {
            return "Reference[userId=" + userId + ", sessionId=" + sessionId + ", original=" + original + ", token=<redacted>]";
        }
    }

    /** The token of the generation after {@code token}'s, under {@code nonce}; with its validator. */
    public record Successor(String token, String validator, String nonce) {
        @Override
        public String toString() {
            return "Successor[validator=" + validator + ", token=<redacted>]";
        }
    }

    public Issued issue(String userId) {
        UserBoundTokens.Issued issued = FORMAT.issue(userId, random);
        return new Issued(issued.token(), userId, issued.id());
    }

    /** The next generation's token for {@code token}, under a fresh nonce. */
    public Successor rotate(Reference token) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return successor(token, ENCODER.encodeToString(nonce));
    }

    /**
     * The token of the generation after {@code token}'s under the stored {@code nonce}: the one a
     * rotation from {@code token} handed out, derived again (a Refresh with a replaced token, in its grace).
     */
    public static Successor successor(Reference token, String nonce) {
        MessageDigest sha256 = Sha256.digest();
        sha256.update(DERIVATION_LABEL);
        sha256.update(token.generationSecret);
        byte[] next = sha256.digest(Base64.getUrlDecoder().decode(nonce));
        byte[] body = new byte[ROTATED_BYTES];
        System.arraycopy(Ids.decode(token.userId), 0, body, 0, Ids.BYTES);
        System.arraycopy(token.sessionSecret, 0, body, Ids.BYTES, SECRET_BYTES);
        System.arraycopy(next, 0, body, Ids.BYTES + SECRET_BYTES, SECRET_BYTES);
        String successor = ROTATED_PREFIX + ENCODER.encodeToString(body);
        String validator = validatorOf(next);
        Arrays.fill(body, (byte) 0);
        Arrays.fill(next, (byte) 0);
        return new Successor(successor, validator, nonce);
    }

    /**
     * Reads a token of either form, failing with INVALID_ARGUMENT (naming {@code field}) unless it
     * has the token format. A well-formed token may still name no session.
     */
    public static Reference parse(String field, String token) {
        Checks.requireNonEmpty(field, token);
        if (token.startsWith(ROTATED_PREFIX)) {
            return parseRotated(field, token);
        }
        UserBoundTokens.Parsed parsed = FORMAT.parse(field, token);
        return new Reference(parsed.userId(), parsed.id(), true, parsed.secret(), parsed.secret());
    }

    private static Reference parseRotated(String field, String token) {
        if (token.length() != ROTATED_TOKEN_LENGTH) {
            throw new InvalidArgumentException(field, "is not a session token (expected " + ROTATED_TOKEN_LENGTH
                    + " characters after " + ROTATED_PREFIX + ", got " + token.length() + ")");
        }
        String encoded = token.substring(ROTATED_PREFIX.length());
        if (!Ids.isBase64Url(encoded)) {
            throw new InvalidArgumentException(field, "is not a session token (unexpected characters)");
        }
        byte[] body = Base64.getUrlDecoder().decode(encoded);
        if (!ENCODER.encodeToString(body).equals(encoded)) {
            throw new InvalidArgumentException(field, "is not a session token (not in canonical form)");
        }
        String original = PREFIX + ENCODER.encodeToString(Arrays.copyOf(body, Ids.BYTES + SECRET_BYTES));
        Reference reference = new Reference(Ids.encode(Arrays.copyOf(body, Ids.BYTES)), FORMAT.idOf(original), false,
                Arrays.copyOfRange(body, Ids.BYTES, Ids.BYTES + SECRET_BYTES),
                Arrays.copyOfRange(body, Ids.BYTES + SECRET_BYTES, ROTATED_BYTES));
        Arrays.fill(body, (byte) 0);
        return reference;
    }

    /** Whether {@code value} looks like a session id (22 URL-safe base64 characters). */
    public static boolean isSessionId(String value) {
        return Ids.isWellFormed(value);
    }

    static String sessionIdOf(String token) {
        return FORMAT.idOf(token);
    }

    /** The first 128 bits of SHA-256(label ‖ secret): a generation's stored validator. */
    private static String validatorOf(byte[] generationSecret) {
        MessageDigest sha256 = Sha256.digest();
        sha256.update(VALIDATOR_LABEL);
        return ENCODER.encodeToString(Arrays.copyOf(sha256.digest(generationSecret), Ids.BYTES));
    }
}
