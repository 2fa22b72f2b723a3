package io.sessionauthority.spring;

import io.sessionauthority.v1.Session;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** One open endpoint and one that needs a session. */
@RestController
class TestEndpoints {

    @GetMapping("/public/ping")
    String ping() {
        return "pong";
    }

    // README:starter-me:begin
    @GetMapping("/me")
    String me(@AuthenticationPrincipal Session session) { // io.sessionauthority.v1.Session: also getUserId(), getAttributesMap()
        return session.getUsername();
    }
    // README:starter-me:end
}
