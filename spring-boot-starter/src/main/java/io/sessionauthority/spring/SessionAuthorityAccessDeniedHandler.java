package io.sessionauthority.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Answers a request that is refused although it may be authenticated — a missing or wrong CSRF
 * token, a role it lacks — with 403 and {@code {"error":"forbidden"}}, written here rather than
 * through the servlet container's error page. A request refused by {@link SessionAssurance} gets
 * 401 with a step-up challenge instead. Through the error page, a refused CSRF check (which
 * runs before the session is read) would reach {@code /error} unauthenticated and come back as 401
 * with a Bearer challenge: the answer to a bad token, on which clients drop their token.
 */
public class SessionAuthorityAccessDeniedHandler implements AccessDeniedHandler {

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException accessDeniedException)
            throws IOException {
        if (request.getAttribute(SessionAssurance.REQUIRED_ATTRIBUTE) instanceof io.sessionauthority.client.Assurance needed) {
            // Authenticated, but not strongly or recently enough: step up (RFC 9470), not "forbidden".
            response.setHeader(org.springframework.http.HttpHeaders.WWW_AUTHENTICATE, SessionAssurance.challenge(needed));
            JsonErrorResponses.write(response, HttpServletResponse.SC_UNAUTHORIZED, "step_up_required");
            return;
        }
        JsonErrorResponses.write(response, HttpServletResponse.SC_FORBIDDEN, "forbidden");
    }
}
