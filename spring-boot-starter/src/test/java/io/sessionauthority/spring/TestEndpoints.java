package io.sessionauthority.spring;

import io.sessionauthority.client.SessionInfo;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** An open endpoint, endpoints that need a session, one that needs a role, one that needs a second factor. */
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

    @GetMapping("/payments/limit")
    String paymentLimit(@AuthenticationPrincipal SessionInfo session) {
        return "limit for " + session.username() + " at aal" + session.assuranceLevel();
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
