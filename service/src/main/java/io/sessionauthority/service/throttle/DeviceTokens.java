package io.sessionauthority.service.throttle;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.validation.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Device tokens, OWASP's "device cookie" against online guessing: a successful login hands the
 * device a token, and a login that presents it again gets a failure budget of its own, so an
 * attacker guessing from elsewhere cannot lock the real user out of a device they used before.
 *
 * <p>A token is {@value #PREFIX} followed by 64 URL-safe base64 characters: the 16-byte user id, then
 * 256 bits from a {@link SecureRandom}. It is not a credential (it proves nothing without the
 * password) but an attacker who could mint valid ones would mint fresh budgets, so only a one-way
 * hash of it is stored: the {@linkplain #deviceIdOf device id}, kept under the user it was issued to.
 */
public final class DeviceTokens {

    public static final String PREFIX = "sad1_";
    static final int USER_ID_BYTES = Ids.BYTES;
    static final int SECRET_BYTES = 32;
    static final int TOKEN_LENGTH = PREFIX.length() + 64;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final byte[] DEVICE_ID_CONTEXT = "session-authority/device-id/v1\0".getBytes(StandardCharsets.US_ASCII);

    private final SecureRandom random;

    public DeviceTokens(SecureRandom random) {
        this.random = random;
    }

    /** A device token presented with a login: the raw token, the user it was issued to, its device id. */
    public record Presented(String token, String userId, String deviceId) {
        @Override
        public String toString() {
            return "Presented[userId=" + userId + ", deviceId=" + deviceId + ", token=<redacted>]";
        }
    }

    /** A new token for a device of {@code userId} (a user id: 22 URL-safe base64 characters). */
    public Presented issue(String userId) {
        byte[] body = new byte[USER_ID_BYTES + SECRET_BYTES];
        System.arraycopy(Ids.decode(userId), 0, body, 0, USER_ID_BYTES);
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        System.arraycopy(secret, 0, body, USER_ID_BYTES, SECRET_BYTES);
        String token = PREFIX + ENCODER.encodeToString(body);
        Arrays.fill(secret, (byte) 0);
        Arrays.fill(body, (byte) 0);
        return new Presented(token, userId, deviceIdOf(token));
    }

    /**
     * Reads an optional device token: empty when none was presented, INVALID_ARGUMENT (naming
     * {@code field}) when it is not of the token format. A well-formed token may still be unknown.
     */
    public static Optional<Presented> parse(String field, String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        if (token.length() != TOKEN_LENGTH || !token.startsWith(PREFIX)) {
            throw new InvalidArgumentException(field, "is not a device token (expected " + PREFIX + " and "
                    + (TOKEN_LENGTH - PREFIX.length()) + " URL-safe base64 characters, as Login returned it)");
        }
        byte[] body;
        try {
            body = Base64.getUrlDecoder().decode(token.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(field, "is not a device token (unexpected characters)");
        }
        if (!(PREFIX + ENCODER.encodeToString(body)).equals(token)) {
            throw new InvalidArgumentException(field, "is not a device token (not in canonical form)");
        }
        String userId = Ids.encode(Arrays.copyOf(body, USER_ID_BYTES));
        return Optional.of(new Presented(token, userId, deviceIdOf(token)));
    }

    static String deviceIdOf(String token) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(DEVICE_ID_CONTEXT);
            byte[] digest = sha256.digest(token.getBytes(StandardCharsets.US_ASCII));
            return ENCODER.encodeToString(Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
