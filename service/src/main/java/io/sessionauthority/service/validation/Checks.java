package io.sessionauthority.service.validation;

import io.sessionauthority.service.error.InvalidArgumentException;

/** Field checks shared by every request: each failure names the field and says what is wrong. */
public final class Checks {

    private Checks() {
    }

    /** Fails when {@code value} is empty. */
    public static String requireNonEmpty(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidArgumentException(field, "is required");
        }
        return value;
    }

    /** Fails when {@code value} is longer than {@code max} characters (code points). */
    public static String requireMaxLength(String field, String value, int max) {
        // Length in code points, as a person counts; the cheap UTF-16 length bounds it first.
        if (value.length() > max && value.codePointCount(0, value.length()) > max) {
            throw new InvalidArgumentException(field, "must be at most " + max + " characters");
        }
        return value;
    }

    /**
     * Fails on control characters (C0, C1, DEL), lone surrogates and Unicode format characters such
     * as zero-width joiners or bidi overrides: none belongs in a name or a stored value, and some
     * can disguise one value as another.
     */
    public static String requirePrintable(String field, String value) {
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.UNASSIGNED || type == Character.PRIVATE_USE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                throw new InvalidArgumentException(field, String.format(
                        "must not contain control or invisible characters (found U+%04X at position %d)", cp, i));
            }
            i += Character.charCount(cp);
        }
        return value;
    }

    /** Optional text: empty is fine, otherwise bounded and printable. */
    public static String optionalText(String field, String value, int max) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        return requirePrintable(field, requireMaxLength(field, value, max));
    }
}
