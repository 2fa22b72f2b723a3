package io.sessionauthority.service.grpc;

import java.util.Map;
import java.util.Optional;

/**
 * The session token an HTTP request carries, as Envoy hands its headers over: {@code Authorization:
 * Bearer} first, else the session cookie. The one place that knows where a token can hide, so the
 * same rules find it and strip it.
 */
record PresentedToken(String token, boolean fromCookie) {

    private static final String BEARER = "Bearer ";

    static Optional<PresentedToken> in(Map<String, String> headers, String cookieName) {
        String authorization = headers.get("authorization");
        if (isBearer(authorization)) {
            return Optional.of(new PresentedToken(authorization.substring(BEARER.length()).trim(), false));
        }
        return CookieHeader.value(headers.get("cookie"), cookieName).map(token -> new PresentedToken(token, true));
    }

    static boolean isBearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
    }

    @Override
    public String toString() {
        return "PresentedToken[<redacted>]";
    }
}
