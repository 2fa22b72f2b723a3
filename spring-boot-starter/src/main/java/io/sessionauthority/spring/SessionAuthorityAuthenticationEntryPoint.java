package io.sessionauthority.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * Answers a request that needs a session and has none with 401, {@code WWW-Authenticate: Bearer}
 * (RFC 6750; with {@code error="invalid_token"} when a token was presented but is not live) and
 * {@code {"error":"unauthorized"}}. No redirect to a login page: the clients of a token API are
 * programs.
 *
 * <p>A request whose token could not be checked because the authority cannot answer gets 503,
 * {@code Retry-After} and {@code {"error":"unavailable"}} instead, whichever entry point
 * {@link #outageAware(AuthenticationEntryPoint) wraps}: an outage must never make a client drop a
 * good token.
 */
public class SessionAuthorityAuthenticationEntryPoint implements AuthenticationEntryPoint {

    private final AuthenticationEntryPoint unauthenticated;

    /** The JSON 401 entry point. */
    public SessionAuthorityAuthenticationEntryPoint() {
        this.unauthenticated = null;
    }

    private SessionAuthorityAuthenticationEntryPoint(AuthenticationEntryPoint unauthenticated) {
        this.unauthenticated = Objects.requireNonNull(unauthenticated, "unauthenticated");
    }

    /**
     * {@code entryPoint} for requests without a live session, and 503 for those the authority could
     * not answer.
     *
     * @param entryPoint what answers requests without a live session
     * @return the outage-aware entry point
     */
    public static AuthenticationEntryPoint outageAware(AuthenticationEntryPoint entryPoint) {
        return entryPoint instanceof SessionAuthorityAuthenticationEntryPoint ? entryPoint
                : new SessionAuthorityAuthenticationEntryPoint(entryPoint);
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException authException)
            throws IOException, jakarta.servlet.ServletException {
        if (request.getAttribute(SessionAuthorityAuthenticationFilter.AUTHORITY_UNAVAILABLE_ATTRIBUTE) instanceof Long retryAfter) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
            JsonErrorResponses.write(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "unavailable");
            return;
        }
        if (unauthenticated != null) {
            unauthenticated.commence(request, response, authException);
            return;
        }
        boolean invalidToken = Boolean.TRUE.equals(request.getAttribute(SessionAuthorityAuthenticationFilter.INVALID_TOKEN_ATTRIBUTE));
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, invalidToken ? "Bearer error=\"invalid_token\"" : "Bearer");
        JsonErrorResponses.write(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized");
    }
}
