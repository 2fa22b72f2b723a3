package io.sessionauthority.webflux;

import io.sessionauthority.spring.SessionAuthorityWebFlux;
import io.sessionauthority.client.SessionInfo;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * A WebFlux application as a user of the starter writes it: the reactive chain and three kinds of
 * endpoint. In a package of its own, so the servlet test application does not scan it.
 */
@SpringBootApplication
@EnableWebFluxSecurity
public class ReactiveTestApplication {

    // README:starter-webflux-chain:begin
    @Bean
    SecurityWebFilterChain api(ServerHttpSecurity http, SessionAuthorityWebFlux sessionAuthority) {
        return sessionAuthority.apply(http)
                .authorizeExchange(a -> a
                        .pathMatchers("/public/**", "/actuator/health/**").permitAll()
                        .pathMatchers("/admin/**").hasRole("ADMIN")
                        .anyExchange().authenticated())
                .build();
    }
    // README:starter-webflux-chain:end

    @RestController
    static class Endpoints {

        @GetMapping("/public/ping")
        Mono<String> ping() {
            return Mono.just("pong");
        }

        @GetMapping("/me")
        Mono<String> me(@AuthenticationPrincipal SessionInfo session) {
            return Mono.just(session.username());
        }

        @PostMapping("/me/greeting")
        Mono<String> greet(@AuthenticationPrincipal SessionInfo session) {
            return Mono.just("hello " + session.username());
        }

        @GetMapping("/admin/report")
        Mono<String> report() {
            return Mono.just("report");
        }
    }
}
