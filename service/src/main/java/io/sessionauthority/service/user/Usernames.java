package io.sessionauthority.service.user;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.validation.Checks;
import java.text.Normalizer;

/**
 * Username normalization: one person, one spelling. "Alice", " alice " and "ａｌｉｃｅ" (full width)
 * all become "alice", so nobody can register a look-alike of a taken name by case or width.
 */
public final class Usernames {

    public static final int MAX_LENGTH = 64;

    private Usernames() {
    }

    /**
     * Trims, applies Unicode NFKC, case-folds (simple case folding, then NFKC again, since
     * folding can produce new compatibility forms), and checks the result: 1 to {@value #MAX_LENGTH}
     * characters, no whitespace inside, no control or invisible characters.
     */
    public static String normalize(String field, String raw) {
        Checks.requireNonEmpty(field, raw);
        // Bound the work before normalizing: NFKC can expand a string up to 18 times.
        Checks.requireMaxLength(field, raw, MAX_LENGTH * 4);
        String folded = Normalizer.normalize(
                caseFold(Normalizer.normalize(raw.strip(), Normalizer.Form.NFKC)),
                Normalizer.Form.NFKC);
        if (folded.isEmpty()) {
            throw new InvalidArgumentException(field, "is blank");
        }
        Checks.requireMaxLength(field, folded, MAX_LENGTH);
        Checks.requirePrintable(field, folded);
        if (folded.codePoints().anyMatch(Character::isWhitespace) || folded.codePoints().anyMatch(Character::isSpaceChar)) {
            throw new InvalidArgumentException(field, "must not contain spaces");
        }
        return folded;
    }

    /**
     * Simple Unicode case folding, code point by code point: upper then lower case, without the
     * locale or context rules of {@link String#toLowerCase} (which would keep a final sigma 'ς'
     * apart from 'σ', and make Turkish 'I' depend on the server's locale).
     */
    static String caseFold(String text) {
        StringBuilder folded = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> folded.appendCodePoint(Character.toLowerCase(Character.toUpperCase(cp))));
        return folded.toString();
    }
}
