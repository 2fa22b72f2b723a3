package io.sessionauthority.spring;

import io.sessionauthority.client.SessionInfo;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** An open endpoint, endpoints that need a session, and one that needs a role. */
@RestController
class TestEndpoints {

    @PostMapping("/me/greeting")
    String greet(@AuthenticationPrincipal SessionInfo session) {
        return "hello " + session.username();
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
    String me(@AuthenticationPrincipal SessionInfo session) { // also userId(), attributes(), expiresAt()
        return session.username();
    }
    // README:starter-me:end
}
