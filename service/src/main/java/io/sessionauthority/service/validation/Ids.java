package io.sessionauthority.service.validation;

import java.util.Base64;

/**
 * The one shape of every id the service hands out (user, session, device): 128 bits written as 22
 * URL-safe base64 characters, in canonical form only, since two spellings of one id would name two
 * sets of keys.
 */
public final class Ids {

    public static final int BYTES = 16;
    public static final int LENGTH = 22;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Ids() {
    }

    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /** The id's 16 bytes; the id must already be {@linkplain #isWellFormed well formed}. */
    public static byte[] decode(String id) {
        return DECODER.decode(id);
    }

    public static boolean isWellFormed(String value) {
        return value != null && value.length() == LENGTH && isBase64Url(value) && encode(decode(value)).equals(value);
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
