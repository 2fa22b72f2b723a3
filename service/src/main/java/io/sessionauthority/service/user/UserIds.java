package io.sessionauthority.service.user;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.validation.Checks;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * User ids: 128 random bits, written as 22 URL-safe base64 characters. Random rather than
 * sequential, so ids reveal neither how many users exist nor when one was created.
 */
public final class UserIds {

    public static final int BYTES = 16;
    public static final int LENGTH = 22;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private UserIds() {
    }

    public static String newId(SecureRandom random) {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return encode(bytes);
    }

    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /** The id's 16 bytes; the id must already be {@linkplain #require valid}. */
    public static byte[] decode(String userId) {
        return DECODER.decode(userId);
    }

    /** Fails with INVALID_ARGUMENT unless {@code value} is a well-formed user id (in canonical form). */
    public static String require(String field, String value) {
        Checks.requireNonEmpty(field, value);
        if (!isWellFormed(value)) {
            throw new InvalidArgumentException(field, "is not a user id (22 URL-safe base64 characters)");
        }
        return value;
    }

    public static boolean isWellFormed(String value) {
        if (value.length() != LENGTH || !isBase64Url(value)) {
            return false;
        }
        // Canonical form only: two spellings of one id would name two sets of keys.
        return encode(DECODER.decode(value)).equals(value);
    }

    public static boolean isBase64Url(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
