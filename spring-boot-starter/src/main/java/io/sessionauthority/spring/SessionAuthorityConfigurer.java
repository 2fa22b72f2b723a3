package io.sessionauthority.spring;

import io.sessionauthority.client.SessionAuthorityClient;
import java.util.Objects;
import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.CsrfConfigurer;
import org.springframework.security.config.annotation.web.configurers.ExceptionHandlingConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Protects a {@code SecurityFilterChain} with Session Authority tokens:
 *
 * <pre>{@code
 * SecurityFilterChain api(HttpSecurity http) throws Exception {   // a @Bean method
 *     return http
 *             .authorizeHttpRequests(a -> a.requestMatchers("/public/**").permitAll().anyRequest().authenticated())
 *             .with(SessionAuthorityConfigurer.sessionAuthority(), Customizer.withDefaults())
 *             .build();
 * }
 * }</pre>
 *
 * <p>What it sets up:
 * <ul>
 *   <li>the {@link SessionAuthorityAuthenticationFilter} (the context's bean, else one built from
 *       the client bean) before the anonymous filter;</li>
 *   <li>stateless session management, unless the chain chooses a session creation policy itself:
 *       the token is checked on every request and no HTTP session is created;</li>
 *   <li>a default entry point answering 401 with {@code WWW-Authenticate: Bearer} and a JSON body,
 *       and 503 when the authority could not answer ({@link SessionAuthorityAuthenticationEntryPoint});
 *       one the chain sets explicitly wins (wrap it in
 *       {@link SessionAuthorityAuthenticationEntryPoint#outageAware} to keep the 503, or pass it to
 *       {@link #authenticationEntryPoint}, which does);</li>
 *   <li>a default access-denied handler answering 403 with a JSON body
 *       ({@link SessionAuthorityAccessDeniedHandler}), for refused CSRF checks and missing roles
 *       alike; one the chain sets explicitly wins;</li>
 *   <li>CSRF protection is left on, but requests carrying {@code Authorization: Bearer} are exempt:
 *       a browser never adds that header on its own, so such a request cannot be forged across
 *       sites. A request authenticated by the session <em>cookie</em> can be, so it keeps CSRF
 *       protection (use a {@code CookieCsrfTokenRepository} for browser clients, or
 *       {@code csrf(AbstractHttpConfigurer::disable)} if the cookie is {@code SameSite=Strict} and
 *       you accept that).</li>
 * </ul>
 */
public final class SessionAuthorityConfigurer extends AbstractHttpConfigurer<SessionAuthorityConfigurer, HttpSecurity> {

    private AuthenticationEntryPoint authenticationEntryPoint = new SessionAuthorityAuthenticationEntryPoint();

    private SessionAuthorityConfigurer() {
    }

    /**
     * A configurer to pass to {@code HttpSecurity.with(…)}.
     *
     * @return a new configurer
     */
    public static SessionAuthorityConfigurer sessionAuthority() {
        return new SessionAuthorityConfigurer();
    }

    /**
     * Answers unauthenticated requests with another entry point than the JSON 401 one; requests the
     * authority could not answer still get 503.
     *
     * @param authenticationEntryPoint the entry point to use by default
     * @return this configurer
     */
    public SessionAuthorityConfigurer authenticationEntryPoint(AuthenticationEntryPoint authenticationEntryPoint) {
        this.authenticationEntryPoint = SessionAuthorityAuthenticationEntryPoint.outageAware(
                Objects.requireNonNull(authenticationEntryPoint, "authenticationEntryPoint"));
        return this;
    }

    /**
     * Also makes stateless the default session creation policy. It has to happen here, as the
     * configurer joins the chain: the session management configurer reads the policy in its own
     * {@code init}, which runs before this one's. A shared object, it is only a default: a policy
     * the chain sets with {@code sessionManagement(…)} still wins.
     */
    @Override
    public void setBuilder(HttpSecurity http) {
        super.setBuilder(http);
        if (http.getSharedObject(SessionCreationPolicy.class) == null) {
            http.setSharedObject(SessionCreationPolicy.class, SessionCreationPolicy.STATELESS);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(HttpSecurity http) {
        // Configurers are looked up, not applied: applying would bring back one the chain disabled.
        ExceptionHandlingConfigurer<?> exceptionHandling = http.getConfigurer(ExceptionHandlingConfigurer.class);
        if (exceptionHandling != null) {
            exceptionHandling.defaultAuthenticationEntryPointFor(authenticationEntryPoint, AnyRequestMatcher.INSTANCE);
            exceptionHandling.defaultAccessDeniedHandlerFor(new SessionAuthorityAccessDeniedHandler(), AnyRequestMatcher.INSTANCE);
        }
        CsrfConfigurer<?> csrf = http.getConfigurer(CsrfConfigurer.class);
        if (csrf != null) {
            RequestMatcher bearerHeader = SessionTokenResolver::hasBearerHeader;
            csrf.ignoringRequestMatchers(bearerHeader);
        }
    }

    @Override
    public void configure(HttpSecurity http) {
        http.addFilterBefore(filter(http), AnonymousAuthenticationFilter.class);
    }

    private SessionAuthorityAuthenticationFilter filter(HttpSecurity http) {
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        if (context == null) {
            throw new IllegalStateException("SessionAuthorityConfigurer needs the HttpSecurity of a Spring application context");
        }
        return context.getBeanProvider(SessionAuthorityAuthenticationFilter.class).getIfAvailable(() -> {
            SessionAuthorityProperties properties = context.getBeanProvider(SessionAuthorityProperties.class)
                    .getIfAvailable(SessionAuthorityProperties::new);
            SessionAuthorityAuthenticationFilter built = new SessionAuthorityAuthenticationFilter(
                    context.getBean(SessionAuthorityClient.class), properties.getCookieName());
            built.setSecurityContextHolderStrategy(getSecurityContextHolderStrategy());
            built.setRotateTokens(properties.isRotateTokens());
            built.setRotateBearerTokens(properties.isRotateBearerTokens());
            built.setRotatedCookieAttributes(properties.getRotatedCookieAttributes());
            built.setAuthoritiesMapper(context.getBeanProvider(SessionAuthoritiesMapper.class)
                    .getIfAvailable(() -> SessionAuthoritiesMapper.fromAttribute(properties.getAuthoritiesAttribute())));
            return built;
        });
    }
}
