package io.sessionauthority.service.secondfactor;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TOTP as authenticator apps compute it (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 30-second
 * steps, 6 digits, and a code of the step before or after now accepted too (clocks drift, people
 * type slowly). Eighteen lines of the RFC's own algorithm on the JDK's HMAC: no library is smaller.
 */
public final class Totp {

    public static final int DIGITS = 6;
    static final long PERIOD_SECONDS = 30;
    static final int WINDOW = 1;
    private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private Totp() {
    }

    /** The time step of {@code time}. */
    public static long step(Instant time) {
        return Math.floorDiv(time.getEpochSecond(), PERIOD_SECONDS);
    }

    /** The code of {@code step}, {@code digits} long (RFC 4226 §5.3, dynamic truncation). */
    static String code(byte[] secret, long step, int digits) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(step).array());
            int offset = hash[hash.length - 1] & 0x0f;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16) | ((hash[offset + 2] & 0xff) << 8)
                    | (hash[offset + 3] & 0xff);
            String code = Integer.toString(binary % POWERS[digits]);
            return "0".repeat(digits - code.length()) + code;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA1", e);
        }
    }

    /** The code an authenticator app shows at {@code time} (what tests and tools compute). */
    public static String codeAt(byte[] secret, Instant time) {
        return code(secret, step(time), DIGITS);
    }

    /** The step within the window around {@code now} whose code is {@code code}, or -1; every step is compared, in constant time. */
    public static long matchingStep(byte[] secret, String code, Instant now) {
        byte[] presented = code.getBytes(StandardCharsets.US_ASCII);
        long now0 = step(now);
        long found = -1;
        for (long step = now0 - WINDOW; step <= now0 + WINDOW; step++) {
            if (MessageDigest.isEqual(presented, code(secret, step, DIGITS).getBytes(StandardCharsets.US_ASCII)) && found < 0) {
                found = step;
            }
        }
        return found;
    }

    /** Whether {@code code} has the shape of a TOTP code (else it may be a recovery code). */
    public static boolean isCodeShaped(String code) {
        return code.length() == DIGITS && code.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
