package io.sessionauthority.spring;

import java.util.Map;
import org.springframework.http.HttpHeaders;

/**
 * How a rotated session token goes back to the client that presented the old one: the way it came.
 * A browser that sent the cookie gets a {@code Set-Cookie} with the configured attributes
 * ({@value #DEFAULT_COOKIE_ATTRIBUTES} by default: they must match the login's cookie, or the new one
 * would sit beside the old), which it applies on its own; a client that sent {@code Authorization: Bearer} gets the
 * {@value #HEADER} header, and must use it from then on: the old token stops working when its
 * grace ends, and presenting it later ends the session (taken as a stolen token's reuse).
 */
final class RotatedTokens {

    static final String HEADER = "Session-Authority-Token";
    static final String DEFAULT_COOKIE_ATTRIBUTES = "Path=/; Secure; HttpOnly; SameSite=Lax";

    private RotatedTokens() {
    }

    /** The response header (name, value) that hands {@code newToken} back. */
    static Map.Entry<String, String> header(boolean cameInCookie, String cookieName, String cookieAttributes, String newToken) {
        if (!cameInCookie) {
            return Map.entry(HEADER, newToken);
        }
        String attributes = cookieAttributes == null || cookieAttributes.isBlank() ? DEFAULT_COOKIE_ATTRIBUTES : cookieAttributes.strip();
        return Map.entry(HttpHeaders.SET_COOKIE, cookieName + "=" + newToken + "; " + attributes);
    }
}
