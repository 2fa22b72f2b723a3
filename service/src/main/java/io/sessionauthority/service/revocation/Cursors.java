package io.sessionauthority.service.revocation;

import java.util.regex.Pattern;

/** Cursors are Redis Stream ids, {@code <ms>-<seq>}: compared as two numbers, never as text. */
public final class Cursors {

    public static final String START = "0-0";
    private static final Pattern FORMAT = Pattern.compile("\\d{1,19}-\\d{1,19}");

    private Cursors() {
    }

    public static boolean isValid(String cursor) {
        return FORMAT.matcher(cursor).matches();
    }

    /** Negative, zero or positive as {@code a} is before, at or after {@code b}. */
    public static int compare(String a, String b) {
        int dashA = a.indexOf('-');
        int dashB = b.indexOf('-');
        int byTime = Long.compareUnsigned(Long.parseUnsignedLong(a.substring(0, dashA)), Long.parseUnsignedLong(b.substring(0, dashB)));
        return byTime != 0 ? byTime
                : Long.compareUnsigned(Long.parseUnsignedLong(a.substring(dashA + 1)), Long.parseUnsignedLong(b.substring(dashB + 1)));
    }
}
