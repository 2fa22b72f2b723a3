package io.sessionauthority.service.secondfactor;

import io.sessionauthority.service.validation.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * One-time recovery codes: ten, each 16 characters of Crockford-like base32 from a CSPRNG (80 bits,
 * shown as four groups of four), kept only as one-way ids. 80 bits make a plain SHA-256 safe at rest:
 * nobody enumerates 2^80 candidates, so no password hash is needed.
 */
public final class RecoveryCodes {

    public static final int COUNT = 10;
    private static final char[] ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ0123456789".toCharArray();
    private static final byte[] LABEL = "session-authority/recovery-code/v1\0".getBytes(StandardCharsets.US_ASCII);

    private RecoveryCodes() {
    }

    public static List<String> generate(SecureRandom random) {
        List<String> codes = new ArrayList<>(COUNT);
        for (int i = 0; i < COUNT; i++) {
            StringBuilder code = new StringBuilder();
            for (int c = 0; c < 16; c++) {
                if (c > 0 && c % 4 == 0) {
                    code.append('-');
                }
                code.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            codes.add(code.toString());
        }
        return codes;
    }

    /** The one-way id of a code as the user typed it (case, dashes and spaces do not matter). */
    public static String idOf(String typed) {
        String normalized = typed.toUpperCase(Locale.ROOT).replace("-", "").replace(" ", "");
        MessageDigest sha256 = Sha256.digest();
        sha256.update(LABEL);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Arrays.copyOf(sha256.digest(normalized.getBytes(StandardCharsets.UTF_8)), 16));
    }
}
