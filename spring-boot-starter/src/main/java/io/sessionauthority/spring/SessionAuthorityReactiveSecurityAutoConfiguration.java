package io.sessionauthority.spring;

import io.sessionauthority.client.SessionAuthorityClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.web.server.SecurityWebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The {@link SessionAuthorityWebFlux} of a reactive application with Spring Security, for its
 * {@code SecurityWebFilterChain} to apply. Declare a bean of that type to replace it.
 */
@AutoConfiguration(after = SessionAuthorityAutoConfiguration.class,
        beforeName = "org.springframework.boot.autoconfigure.security.reactive.ReactiveUserDetailsServiceAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({SecurityWebFilterChain.class, Mono.class})
@ConditionalOnBean(SessionAuthorityClient.class)
public class SessionAuthorityReactiveSecurityAutoConfiguration {

    /**
     * The chain's protection.
     *
     * @param client      the client to validate through
     * @param properties  where the cookie name comes from
     * @param authorities the sessions' authorities
     * @return it
     */
    @Bean
    @ConditionalOnMissingBean
    public SessionAuthorityWebFlux sessionAuthorityWebFlux(SessionAuthorityClient client, SessionAuthorityProperties properties,
                                                           SessionAuthoritiesMapper authorities) {
        SessionAuthorityWebFlux webFlux = new SessionAuthorityWebFlux(client, properties.getCookieName(), authorities);
        webFlux.setRotateTokens(properties.isRotateTokens());
        webFlux.setRotateBearerTokens(properties.isRotateBearerTokens());
        webFlux.setRotatedCookieAttributes(properties.getRotatedCookieAttributes());
        return webFlux;
    }

    /**
     * The sessions' authorities, as in a servlet application.
     *
     * @param properties where the attribute's name comes from
     * @return the mapper
     */
    @Bean
    @ConditionalOnMissingBean
    public SessionAuthoritiesMapper sessionAuthoritiesMapper(SessionAuthorityProperties properties) {
        return SessionAuthoritiesMapper.fromAttribute(properties.getAuthoritiesAttribute());
    }

    /**
     * Keeps Spring Boot from making an in-memory user with a generated password, as
     * {@link SessionAuthenticationProvider} does in a servlet application: it accepts only the
     * sessions the token filter authenticated. Not declared when the application has users or a
     * manager of its own.
     *
     * @return the manager
     */
    @Bean
    @ConditionalOnMissingBean({ReactiveAuthenticationManager.class, ReactiveUserDetailsService.class})
    public ReactiveAuthenticationManager sessionReactiveAuthenticationManager() {
        SessionAuthenticationProvider sessions = new SessionAuthenticationProvider();
        return authentication -> Mono.justOrEmpty(sessions.authenticate(authentication));
    }
}
