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

    @GetMapping("/me")
    String me(@AuthenticationPrincipal Session session) {
        return session.getUsername();
    }
}
