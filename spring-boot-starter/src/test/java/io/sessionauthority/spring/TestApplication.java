package io.sessionauthority.spring;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sessionauthority.client.Assurance;
import java.time.Duration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/** An application as a user of the starter writes it: one dependency, a few properties, this chain. */
@SpringBootApplication
public class TestApplication {

    // README:starter-chain:begin
    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/public/**", "/error", "/actuator/health/**").permitAll()
                        .requestMatchers("/admin/**").hasRole("ADMIN") // authorities-attribute=roles, holding "ADMIN"
                        // A second factor within the last 10 minutes; else 401 with a step-up challenge (RFC 9470).
                        .requestMatchers("/payments/**").access(SessionAssurance.require(Assurance.aal2().within(Duration.ofMinutes(10))))
                        .anyRequest().authenticated())
                .with(SessionAuthorityConfigurer.sessionAuthority(), Customizer.withDefaults())
                .build();
    }
    // README:starter-chain:end

    /** Without Actuator there is no registry; an application that has one gets the metrics the same way. */
    @Bean
    SimpleMeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }
}
