package io.sessionauthority.service.validation;

import io.sessionauthority.service.error.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The one shape of the bearer tokens the service hands out (session tokens, device tokens): a short
 * fixed prefix, so secret scanners find leaked ones, then 64 URL-safe base64 characters holding the
 * 16-byte user id (so every key of the user stays in one Redis Cluster slot) and 256 bits from a
 * {@link SecureRandom}.
 *
 * <p>Nothing of a token is stored. Its id is the first 128 bits of SHA-256 over a fixed, versioned
 * label and the whole token: a one-way function, so a Redis dump, replica or backup yields no usable
 * token, and finding the id's record is itself the comparison (no secret is ever compared byte by
 * byte). The label keeps the ids of two kinds of token apart.
 */
public final class UserBoundTokens {

    static final int SECRET_BYTES = 32;
    static final int BODY_CHARS = 64; // 48 bytes in base64 without padding

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final String prefix;
    private final byte[] idLabel;
    private final String kind;

    /**
     * @param prefix  what every token of this kind starts with, e.g. {@code sat1_}
     * @param idLabel the label hashed before the token into its id, e.g. {@code session-authority/session-id/v1}
     * @param kind    how error messages name the token, e.g. {@code session token}
     */
    public UserBoundTokens(String prefix, String idLabel, String kind) {
        this.prefix = prefix;
        this.idLabel = (idLabel + "\0").getBytes(StandardCharsets.US_ASCII);
        this.kind = kind;
    }

    /** A token just made: shown once, never stored. */
    public record Issued(String token, String userId, String id) {
        @Override
        public String toString() {
            return "Issued[userId=" + userId + ", id=" + id + ", token=<redacted>]";
        }
    }

    /**
     * What a well-formed token names: its user and its id, and its secret (the bytes after the user
     * id), which the caller zeroes once it has used them.
     */
    public record Parsed(String userId, String id, byte[] secret) {
        @Override
        public String toString() {
            return "Parsed[userId=" + userId + ", id=" + id + ", secret=<redacted>]";
        }
    }

    public int length() {
        return prefix.length() + BODY_CHARS;
    }

    public Issued issue(String userId, SecureRandom random) {
        byte[] body = new byte[Ids.BYTES + SECRET_BYTES];
        System.arraycopy(Ids.decode(userId), 0, body, 0, Ids.BYTES);
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        System.arraycopy(secret, 0, body, Ids.BYTES, SECRET_BYTES);
        String token = prefix + ENCODER.encodeToString(body);
        Arrays.fill(secret, (byte) 0);
        Arrays.fill(body, (byte) 0);
        return new Issued(token, userId, idOf(token));
    }

    /**
     * Reads a token, failing with INVALID_ARGUMENT (naming {@code field}) unless it has this format.
     * A well-formed token may still name nothing live.
     */
    public Parsed parse(String field, String token) {
        Checks.requireNonEmpty(field, token);
        if (token.length() != length()) {
            throw new InvalidArgumentException(field, "is not a " + kind + " (expected " + length()
                    + " characters, got " + token.length() + ")");
        }
        if (!token.startsWith(prefix)) {
            throw new InvalidArgumentException(field, "is not a " + kind + " (expected the prefix " + prefix + ")");
        }
        String body = token.substring(prefix.length());
        if (!Ids.isBase64Url(body)) {
            throw new InvalidArgumentException(field, "is not a " + kind + " (unexpected characters)");
        }
        byte[] bytes = Base64.getUrlDecoder().decode(body);
        if (!ENCODER.encodeToString(bytes).equals(body)) {
            throw new InvalidArgumentException(field, "is not a " + kind + " (not in canonical form)");
        }
        Parsed parsed = new Parsed(Ids.encode(Arrays.copyOf(bytes, Ids.BYTES)), idOf(token),
                Arrays.copyOfRange(bytes, Ids.BYTES, bytes.length));
        Arrays.fill(bytes, (byte) 0);
        return parsed;
    }

    /** The id of a token: the first 128 bits of SHA-256(label ‖ token). */
    public String idOf(String token) {
        MessageDigest sha256 = Sha256.digest();
        sha256.update(idLabel);
        byte[] digest = sha256.digest(token.getBytes(StandardCharsets.US_ASCII));
        return ENCODER.encodeToString(Arrays.copyOf(digest, Ids.BYTES));
    }
}
