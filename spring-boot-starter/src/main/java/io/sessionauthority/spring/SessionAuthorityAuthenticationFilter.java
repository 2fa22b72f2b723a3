package io.sessionauthority.spring;

import io.sessionauthority.client.InvalidArgumentException;
import io.sessionauthority.client.MisconfiguredException;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.client.SessionAuthorityException;
import io.sessionauthority.client.SessionInfo;
import io.sessionauthority.client.ValidationResult;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates a request by its session token ({@code Authorization: Bearer <token>}, else the
 * session cookie), asking Session Authority whether the token is live.
 *
 * <ul>
 *   <li>no token: the request goes on unauthenticated;</li>
 *   <li>a live session: the request goes on as a {@link SessionAuthentication};</li>
 *   <li>a token that is not live (unknown, expired, revoked, malformed): the request goes on
 *       unauthenticated, so a protected endpoint answers 401 (the request is marked with
 *       {@link #INVALID_TOKEN_ATTRIBUTE} for the entry point) and a public one still answers;</li>
 *   <li>the authority cannot answer (outage, throttling, this application's TLS trust or
 *       credentials refused): the request goes on unauthenticated, marked with
 *       {@link #AUTHORITY_UNAVAILABLE_ATTRIBUTE}, so a public page still answers and a protected one
 *       gets <b>503</b> with {@code Retry-After} and {@code {"error":"unavailable"}} from the entry
 *       point. An outage is never told to the client as 401, which would make it drop a perfectly
 *       good token.</li>
 * </ul>
 *
 * <p>Installed by {@link SessionAuthorityConfigurer}; not registered as a servlet filter of its own.
 */
public class SessionAuthorityAuthenticationFilter extends OncePerRequestFilter {

    /**
     * Set (to {@code Boolean.TRUE}) on a request whose token was presented but is not live, so that
     * the entry point can answer {@code WWW-Authenticate: Bearer error="invalid_token"}.
     */
    public static final String INVALID_TOKEN_ATTRIBUTE = SessionAuthorityAuthenticationFilter.class.getName() + ".INVALID_TOKEN";

    /**
     * Set on a request whose token could not be checked because the authority cannot answer; its
     * value is the {@code Retry-After} to answer, in whole seconds (a {@code Long}). The entry point
     * answers such a request 503, never 401.
     */
    public static final String AUTHORITY_UNAVAILABLE_ATTRIBUTE = SessionAuthorityAuthenticationFilter.class.getName() + ".AUTHORITY_UNAVAILABLE";

    private static final Log LOG = LogFactory.getLog(SessionAuthorityAuthenticationFilter.class);
    private static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);

    private final SessionAuthorityClient client;
    private final SessionTokenResolver tokens;
    private final String cookieName;
    private boolean rotateTokens = true;
    private boolean rotateBearerTokens;
    private String rotatedCookieAttributes = RotatedTokens.DEFAULT_COOKIE_ATTRIBUTES;
    private final RateLimitedWarning misconfigured = new RateLimitedWarning(LOG, WARNING_INTERVAL);
    private final RateLimitedWarning unavailable = new RateLimitedWarning(LOG, WARNING_INTERVAL);
    private SecurityContextHolderStrategy contextHolder = SecurityContextHolder.getContextHolderStrategy();
    private SessionAuthoritiesMapper authorities = SessionAuthoritiesMapper.fromAttribute(null);
    // Kept in the request, not a session: error and async dispatches of the same request stay authenticated.
    private final SecurityContextRepository contextRepository = new RequestAttributeSecurityContextRepository();

    /**
     * A filter validating through {@code client}.
     *
     * @param client     the client to ask
     * @param cookieName the cookie to read the token from when there is no Bearer header; null or
     *                   empty to read the header only
     */
    public SessionAuthorityAuthenticationFilter(SessionAuthorityClient client, String cookieName) {
        this.client = Objects.requireNonNull(client, "client");
        this.tokens = new SessionTokenResolver(cookieName);
        this.cookieName = cookieName;
    }

    /**
     * Whether a token the authority says is due for rotation is exchanged, the new one handed back
     * with the response (see {@link RotatedTokens}); on by default. Nothing is ever due unless the
     * authority rotates automatically ({@code session-authority.sessions.rotate-after}).
     *
     * @param rotateTokens false to leave tokens as they are
     */
    public void setRotateTokens(boolean rotateTokens) {
        this.rotateTokens = rotateTokens;
    }

    /**
     * Whether tokens that came in {@code Authorization: Bearer} are rotated too (off by default):
     * only for clients that read the {@code Session-Authority-Token} response header.
     *
     * @param rotateBearerTokens true to rotate them
     */
    public void setRotateBearerTokens(boolean rotateBearerTokens) {
        this.rotateBearerTokens = rotateBearerTokens;
    }

    /**
     * The attributes of the {@code Set-Cookie} that hands a rotated token back: those the login's
     * cookie had (its Domain, Path, Max-Age), or the browser keeps both cookies.
     *
     * @param attributes e.g. {@code Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Lax}
     */
    public void setRotatedCookieAttributes(String attributes) {
        this.rotatedCookieAttributes = java.util.Objects.requireNonNull(attributes, "attributes");
    }

    /**
     * Uses another {@link SecurityContextHolderStrategy} than the global one.
     *
     * @param contextHolder the strategy the rest of the application's security uses
     */
    public void setSecurityContextHolderStrategy(SecurityContextHolderStrategy contextHolder) {
        this.contextHolder = Objects.requireNonNull(contextHolder, "contextHolder");
    }

    /**
     * Maps sessions to authorities with {@code authorities} instead of {@code ROLE_USER} alone.
     *
     * @param authorities the mapper
     */
    public void setAuthoritiesMapper(SessionAuthoritiesMapper authorities) {
        this.authorities = Objects.requireNonNull(authorities, "authorities");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String token = tokens.resolve(request);
        if (token == null) {
            chain.doFilter(request, response);
            return;
        }
        ValidationResult result;
        try {
            boolean rotate = rotateTokens && (rotateBearerTokens || !SessionTokenResolver.hasBearerHeader(request));
            result = rotate ? client.validateAndRefresh(token) : client.validate(token);
        } catch (InvalidArgumentException malformed) {
            // An SDK that reports a malformed token as a failure rather than as an answer: still the client's fault, 401.
            notLive(request, response, chain);
            return;
        } catch (SessionAuthorityException failure) {
            warn(failure);
            request.setAttribute(AUTHORITY_UNAVAILABLE_ATTRIBUTE, failure.retryAfterSeconds());
            chain.doFilter(request, response);
            return;
        }
        if (!result.isValid()) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("Session token not live (" + result.reason() + "); continuing unauthenticated");
            }
            notLive(request, response, chain);
            return;
        }
        result.newToken().ifPresent(rotated -> {
            java.util.Map.Entry<String, String> header = RotatedTokens.header(!SessionTokenResolver.hasBearerHeader(request),
                    cookieName, rotatedCookieAttributes, rotated);
            response.addHeader(header.getKey(), header.getValue());
        });
        SecurityContext context = contextHolder.createEmptyContext();
        SessionInfo session = result.session().orElseThrow();
        context.setAuthentication(new SessionAuthentication(session, authorities.authorities(session)));
        contextHolder.setContext(context);
        contextRepository.saveContext(context, request, response);
        try {
            chain.doFilter(request, response);
        } finally {
            // A pooled servlet thread must not carry this session into the next request.
            contextHolder.clearContext();
        }
    }

    private static void notLive(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        request.setAttribute(INVALID_TOKEN_ATTRIBUTE, Boolean.TRUE);
        chain.doFilter(request, response);
    }

    private void warn(SessionAuthorityException failure) {
        if (failure instanceof MisconfiguredException) {
            misconfigured.warn(() -> "Session Authority refuses this application (TLS trust or credentials); answering 503"
                    + " to every protected request with a session token until that is fixed: " + failure.getMessage());
        } else {
            unavailable.warn(() -> "Session Authority cannot answer; answering 503 to protected requests with a session token: "
                    + failure.getClass().getSimpleName() + ": " + failure.getMessage());
        }
    }
}
