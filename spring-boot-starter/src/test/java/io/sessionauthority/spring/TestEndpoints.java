package io.sessionauthority.spring;

import io.sessionauthority.v1.Session;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** An open endpoint, endpoints that need a session, and one that needs a role. */
@RestController
class TestEndpoints {

    @PostMapping("/me/greeting")
    String greet(@AuthenticationPrincipal Session session) {
        return "hello " + session.getUsername();
    }

    @GetMapping("/admin/report")
    String report() {
        return "report";
    }

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
