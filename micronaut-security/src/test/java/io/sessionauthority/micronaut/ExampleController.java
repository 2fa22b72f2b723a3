package io.sessionauthority.micronaut;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.rules.SecurityRule;

/** An application as a user of the integration writes it: routes secured with {@code @Secured}. */
// README:micronaut-controller:begin
@Controller
class ExampleController {

    @Get("/public/ping")
    @Secured(SecurityRule.IS_ANONYMOUS)
    String ping() {
        return "pong";
    }

    @Get("/me")
    @Secured(SecurityRule.IS_AUTHENTICATED)
    String me(Authentication authentication) { // name = username; attributes userId, sessionId, the session's own
        return authentication.getName() + " " + authentication.getAttributes().get("userId");
    }

    @Get("/admin/report")
    @Secured("ADMIN") // roles from session-authority.client.roles-attribute
    String report() {
        return "report";
    }
}
// README:micronaut-controller:end
