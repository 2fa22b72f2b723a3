package io.sessionauthority.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * Answers a request that needs a session and has none with 401, {@code WWW-Authenticate: Bearer}
 * (RFC 6750; with {@code error="invalid_token"} when a token was presented but is not live) and
 * {@code {"error":"unauthorized"}}. No redirect to a login page: the clients of a token API are
 * programs.
 */
public class SessionAuthorityAuthenticationEntryPoint implements AuthenticationEntryPoint {

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException authException)
            throws IOException {
        boolean invalidToken = Boolean.TRUE.equals(request.getAttribute(SessionAuthorityAuthenticationFilter.INVALID_TOKEN_ATTRIBUTE));
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, invalidToken ? "Bearer error=\"invalid_token\"" : "Bearer");
        JsonErrorResponses.write(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized");
    }
}
