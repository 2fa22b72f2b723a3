package io.sessionauthority.spring;

import io.sessionauthority.client.InvalidArgumentException;
import io.sessionauthority.client.MisconfiguredException;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.client.SessionAuthorityException;
import io.sessionauthority.client.ValidationResult;
import io.sessionauthority.client.SessionInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.csrf.CsrfWebFilter;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The reactive (WebFlux) counterpart of {@link SessionAuthorityConfigurer}: protects a
 * {@code SecurityWebFilterChain} with Session Authority tokens, with the servlet variant's answers.
 *
 * <pre>{@code
 * SecurityWebFilterChain api(ServerHttpSecurity http, SessionAuthorityWebFlux sessionAuthority) { // a @Bean method
 *     return sessionAuthority.apply(http)
 *             .authorizeExchange(a -> a.pathMatchers("/public/**").permitAll().anyExchange().authenticated())
 *             .build();
 * }
 * }</pre>
 *
 * <p>{@link #apply} adds the token filter at the authentication position (never as a global
 * {@code WebFilter} bean, which WebFlux would run outside the chain), makes the chain stateless,
 * answers 401 with a Bearer challenge, 403 for refused CSRF checks and missing roles, and 503 on a
 * protected exchange the authority could not answer; public exchanges still run during an outage.
 * Exchanges carrying {@code Authorization: Bearer} are exempt from CSRF checks (a browser never
 * adds that header by itself); cookie-authenticated ones keep them. Settings made on {@code http}
 * after {@code apply} win.
 */
public class SessionAuthorityWebFlux {

    /** Exchange attribute ({@code Boolean.TRUE}) of a token presented but not live. */
    public static final String INVALID_TOKEN_ATTRIBUTE = SessionAuthorityAuthenticationFilter.INVALID_TOKEN_ATTRIBUTE;

    /** Exchange attribute (a {@code Long}, seconds to retry after) of a token the authority could not check. */
    public static final String AUTHORITY_UNAVAILABLE_ATTRIBUTE = SessionAuthorityAuthenticationFilter.AUTHORITY_UNAVAILABLE_ATTRIBUTE;

    private static final Log LOG = LogFactory.getLog(SessionAuthorityWebFlux.class);

    private final SessionAuthorityClient client;
    private final SessionTokenResolver tokens;
    private final SessionAuthoritiesMapper authorities;
    private final RateLimitedWarning unavailable = new RateLimitedWarning(LOG, Duration.ofMinutes(1));

    /** Where a rotated token goes back to a browser (see {@link RotatedTokens}). */
    private final String cookieName;
    private volatile boolean rotateTokens = true;
    private volatile boolean rotateBearerTokens;
    private volatile String rotatedCookieAttributes = RotatedTokens.DEFAULT_COOKIE_ATTRIBUTES;

    /**
     * The attributes of the {@code Set-Cookie} that hands a rotated token back (those of the login's cookie).
     *
     * @param attributes e.g. {@code Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Lax}
     */
    public void setRotatedCookieAttributes(String attributes) {
        this.rotatedCookieAttributes = java.util.Objects.requireNonNull(attributes, "attributes");
    }

    /**
     * Whether tokens that came in {@code Authorization: Bearer} are rotated too (off by default).
     *
     * @param rotateBearerTokens true to rotate them
     */
    public void setRotateBearerTokens(boolean rotateBearerTokens) {
        this.rotateBearerTokens = rotateBearerTokens;
    }

    /**
     * Whether a token the authority says is due for rotation is exchanged, the new one handed back
     * with the response (see {@link RotatedTokens}); on by default.
     *
     * @param rotateTokens false to leave tokens as they are
     */
    public void setRotateTokens(boolean rotateTokens) {
        this.rotateTokens = rotateTokens;
    }

    /**
     * Protection by {@code client}'s answers.
     *
     * @param client      the client to validate through
     * @param cookieName  the cookie to read the token from when there is no Bearer header; null or empty for none
     * @param authorities the sessions' authorities
     */
    public SessionAuthorityWebFlux(SessionAuthorityClient client, String cookieName, SessionAuthoritiesMapper authorities) {
        this.client = Objects.requireNonNull(client, "client");
        this.tokens = new SessionTokenResolver(cookieName);
        this.cookieName = cookieName;
        this.authorities = Objects.requireNonNull(authorities, "authorities");
    }

    /**
     * Protects {@code http}'s chain; see the class comment.
     *
     * @param http the chain being built
     * @return {@code http}, to go on building
     */
    public ServerHttpSecurity apply(ServerHttpSecurity http) {
        ServerAccessDeniedHandler forbidden = (exchange, denied) -> write(exchange.getResponse(), HttpStatus.FORBIDDEN, "forbidden");
        ServerWebExchangeMatcher bearerExempt = exchange -> CsrfWebFilter.DEFAULT_CSRF_MATCHER.matches(exchange)
                .flatMap(match -> match.isMatch() && !SessionTokenResolver.hasBearerScheme(
                        exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION))
                        ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch());
        return http
                .addFilterAt(new TokenFilter(), SecurityWebFiltersOrder.AUTHENTICATION)
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .exceptionHandling(handling -> handling.authenticationEntryPoint(entryPoint()).accessDeniedHandler(forbidden))
                .csrf(csrf -> csrf.requireCsrfProtectionMatcher(bearerExempt).accessDeniedHandler(forbidden));
    }

    /** 503 for an exchange the authority could not answer, else 401 with a Bearer challenge. */
    private static ServerAuthenticationEntryPoint entryPoint() {
        return (exchange, notAuthenticated) -> {
            ServerHttpResponse response = exchange.getResponse();
            Object retryAfter = exchange.getAttribute(AUTHORITY_UNAVAILABLE_ATTRIBUTE);
            if (retryAfter instanceof Long seconds) {
                response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
                return write(response, HttpStatus.SERVICE_UNAVAILABLE, "unavailable");
            }
            boolean invalidToken = Boolean.TRUE.equals(exchange.getAttribute(INVALID_TOKEN_ATTRIBUTE));
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, invalidToken ? "Bearer error=\"invalid_token\"" : "Bearer");
            return write(response, HttpStatus.UNAUTHORIZED, "unauthorized");
        };
    }

    private static Mono<Void> write(ServerHttpResponse response, HttpStatus status, String code) {
        response.setStatusCode(status);
        response.getHeaders().setCacheControl("no-store");
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        byte[] body = JsonError.body(code).getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    /** Reads the token, asks the authority without blocking, and goes on authenticated or marked. */
    private final class TokenFilter implements WebFilter {

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
            String token = tokens.resolve(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION), name -> {
                HttpCookie cookie = exchange.getRequest().getCookies().getFirst(name);
                return cookie == null ? null : cookie.getValue();
            });
            if (token == null) {
                return chain.filter(exchange);
            }
            // Only the validation's failures are caught here, never those of the chain that follows.
            boolean rotate = rotateTokens && (rotateBearerTokens
                    || !SessionTokenResolver.hasBearerScheme(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION)));
            return Mono.fromFuture(() -> rotate ? client.validateAndRefreshAsync(token) : client.validateAsync(token))
                    .map(Answer::of)
                    .onErrorResume(SessionAuthorityException.class, failure -> Mono.just(Answer.failed(failure)))
                    .flatMap(answer -> {
                        if (answer.result() != null && answer.result().isValid()) {
                            SessionInfo session = answer.result().session().orElseThrow();
                            answer.result().newToken().ifPresent(rotated -> {
                                java.util.Map.Entry<String, String> header = RotatedTokens.header(!SessionTokenResolver.hasBearerScheme(
                                        exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION)), cookieName, rotatedCookieAttributes, rotated);
                                exchange.getResponse().getHeaders().add(header.getKey(), header.getValue());
                            });
                            SessionAuthentication authentication = new SessionAuthentication(session, authorities.authorities(session));
                            return chain.filter(exchange).contextWrite(ReactiveSecurityContextHolder.withAuthentication(authentication));
                        }
                        if (answer.failure() != null && !(answer.failure() instanceof InvalidArgumentException)) {
                            warn(answer.failure());
                            exchange.getAttributes().put(AUTHORITY_UNAVAILABLE_ATTRIBUTE, answer.failure().retryAfterSeconds());
                        } else {
                            exchange.getAttributes().put(INVALID_TOKEN_ATTRIBUTE, Boolean.TRUE);
                        }
                        return chain.filter(exchange);
                    });
        }

        private void warn(SessionAuthorityException failure) {
            unavailable.warn(() -> (failure instanceof MisconfiguredException
                    ? "Session Authority refuses this application (TLS trust or credentials)"
                    : "Session Authority cannot answer") + "; answering 503 to protected exchanges with a session token: "
                    + failure.getClass().getSimpleName() + ": " + failure.getMessage());
        }
    }

    /** What the authority said, or why it could not. */
    private record Answer(ValidationResult result, SessionAuthorityException failure) {

        static Answer of(ValidationResult result) {
            return new Answer(result, null);
        }

        static Answer failed(SessionAuthorityException failure) {
            return new Answer(null, failure);
        }
    }
}
