package io.sessionauthority.client;

/**
 * The shape of a session token ({@code sat1_} and 64 URL-safe base64 characters), checked before
 * asking the authority: a header that holds anything else names no session, and costs no call.
 */
final class TokenShape {

    static final String PREFIX = "sat1_";
    static final int LENGTH = PREFIX.length() + 64;

    private TokenShape() {
    }

    static boolean isSessionToken(String token) {
        if (token.length() != LENGTH || !token.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            char c = token.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
