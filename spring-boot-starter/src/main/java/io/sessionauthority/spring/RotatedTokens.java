package io.sessionauthority.spring;

import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;

/**
 * How a rotated session token goes back to the client that presented the old one: the way it came.
 * A browser that sent the cookie gets a {@code Set-Cookie} (HttpOnly, Secure, SameSite=Lax, path
 * /), which it applies on its own; a client that sent {@code Authorization: Bearer} gets the
 * {@value #HEADER} header, and must use it from then on: the old token stops working when its
 * grace ends, and presenting it later ends the session (taken as a stolen token's reuse).
 */
final class RotatedTokens {

    static final String HEADER = "Session-Authority-Token";

    private RotatedTokens() {
    }

    /** The response header (name, value) that hands {@code newToken} back. */
    static Map.Entry<String, String> header(boolean cameInCookie, String cookieName, String newToken) {
        if (!cameInCookie) {
            return Map.entry(HEADER, newToken);
        }
        return Map.entry(HttpHeaders.SET_COOKIE, ResponseCookie.from(cookieName, newToken)
                .path("/").httpOnly(true).secure(true).sameSite("Lax").build().toString());
    }
}
