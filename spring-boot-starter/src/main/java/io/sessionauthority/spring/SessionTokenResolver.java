package io.sessionauthority.spring;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.util.StringUtils;

/**
 * Where a request carries its session token: {@code Authorization: Bearer <token>} (the scheme in
 * any case), else the session cookie. A request with a Bearer header is never authenticated by its
 * cookie, so what the header says always wins.
 */
final class SessionTokenResolver {

    private static final String BEARER = "bearer ";

    private final String cookieName;

    /** {@code cookieName} null or empty: the header only. */
    SessionTokenResolver(String cookieName) {
        this.cookieName = StringUtils.hasText(cookieName) ? cookieName.trim() : null;
    }

    /** The token, or null when the request carries none. */
    String resolve(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (hasBearerScheme(header)) {
            String token = header.substring(BEARER.length()).trim();
            return token.isEmpty() ? null : token;
        }
        return cookieName == null ? null : cookie(request);
    }

    /** Whether the request carries {@code Authorization: Bearer …}: such a request cannot be forged cross-site. */
    static boolean hasBearerHeader(HttpServletRequest request) {
        return hasBearerScheme(request.getHeader(HttpHeaders.AUTHORIZATION));
    }

    private static boolean hasBearerScheme(String header) {
        return header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length());
    }

    private String cookie(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie cookie : cookies) {
            if (cookieName.equals(cookie.getName()) && StringUtils.hasText(cookie.getValue())) {
                return cookie.getValue().trim();
            }
        }
        return null;
    }
}
