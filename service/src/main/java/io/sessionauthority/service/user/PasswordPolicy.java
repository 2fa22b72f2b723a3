package io.sessionauthority.service.user;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.validation.Checks;
import java.text.Normalizer;

/**
 * What a new password must be (NIST 800-63B: a minimum length, a generous maximum, any printable
 * character, no composition rules). Passwords are NFKC-normalized so the same characters typed on
 * two keyboards match.
 */
public final class PasswordPolicy {

    private final int minLength;
    private final int maxLength;

    /**
     * @param minLength shortest accepted new password, in characters (an old, shorter one still verifies)
     * @param maxLength longest accepted password, in characters
     */
    public PasswordPolicy(int minLength, int maxLength) {
        if (minLength < 1 || maxLength < minLength) {
            throw new IllegalArgumentException("passwords: need 1 <= min-length <= max-length");
        }
        this.minLength = minLength;
        this.maxLength = maxLength;
    }

    /** Checks a password being set, and returns its normalized form. */
    public String checkNew(String field, String password) {
        String normalized = checkPresented(field, password);
        int length = normalized.codePointCount(0, normalized.length());
        if (length < minLength) {
            throw new InvalidArgumentException(field, "must be at least " + minLength + " characters");
        }
        return normalized;
    }

    /**
     * Checks a password presented for verification (login, current password) and returns its
     * normalized form. Only the bounds that protect the service apply: an old password shorter
     * than today's minimum still verifies.
     */
    public String checkPresented(String field, String password) {
        Checks.requireNonEmpty(field, password);
        Checks.requireMaxLength(field, password, maxLength);
        String normalized = Normalizer.normalize(password, Normalizer.Form.NFKC);
        Checks.requireMaxLength(field, normalized, maxLength);
        // Spaces are fine in a passphrase; control characters are not typed by people.
        for (int i = 0; i < normalized.length(); i++) {
            char c = normalized.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidArgumentException(field, "must not contain control characters");
            }
        }
        return normalized;
    }
}
