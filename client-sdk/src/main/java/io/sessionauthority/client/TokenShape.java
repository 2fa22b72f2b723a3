package io.sessionauthority.client;

/**
 * The shapes of a session token, checked before asking the authority: {@code sat1_} and 64 URL-safe
 * base64 characters from a login, {@code sat2_} and 107 from a rotation (Refresh). A header that
 * holds anything else names no session, and costs no call.
 */
final class TokenShape {

    static final String PREFIX = "sat1_";
    static final int LENGTH = PREFIX.length() + 64;
    static final String ROTATED_PREFIX = "sat2_";
    static final int ROTATED_LENGTH = ROTATED_PREFIX.length() + 107;

    private TokenShape() {
    }

    static boolean isSessionToken(String token) {
        boolean shaped = token.length() == LENGTH && token.startsWith(PREFIX)
                || token.length() == ROTATED_LENGTH && token.startsWith(ROTATED_PREFIX);
        if (!shaped) {
            return false;
        }
        for (int i = PREFIX.length(); i < token.length(); i++) {
            char c = token.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
