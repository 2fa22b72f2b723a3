package io.sessionauthority.spring;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Function;
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
        return resolve(request.getHeader(HttpHeaders.AUTHORIZATION), name -> cookie(request, name));
    }

    /**
     * The token of a request whose {@code Authorization} header is {@code authorization} (null if
     * absent) and whose cookies {@code cookie} looks up by name; null when it carries none.
     */
    String resolve(String authorization, Function<String, String> cookie) {
        if (hasBearerScheme(authorization)) {
            String token = authorization.substring(BEARER.length()).trim();
            return token.isEmpty() ? null : token;
        }
        if (cookieName == null) {
            return null;
        }
        String value = cookie.apply(cookieName);
        return StringUtils.hasText(value) ? value.trim() : null;
    }

    /** Whether the request carries {@code Authorization: Bearer …}: such a request cannot be forged cross-site. */
    static boolean hasBearerHeader(HttpServletRequest request) {
        return hasBearerScheme(request.getHeader(HttpHeaders.AUTHORIZATION));
    }

    static boolean hasBearerScheme(String header) {
        return header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length());
    }

    private static String cookie(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie cookie : cookies) {
            if (name.equals(cookie.getName()) && StringUtils.hasText(cookie.getValue())) {
                return cookie.getValue();
            }
        }
        return null;
    }
}
