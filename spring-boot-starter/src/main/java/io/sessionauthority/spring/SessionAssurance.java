package io.sessionauthority.spring;

import io.sessionauthority.client.Assurance;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Requests that need more than a live session — a second factor, a recent authentication:
 *
 * <pre>{@code
 * .requestMatchers("/payments/**").access(SessionAssurance.require(Assurance.aal2().within(Duration.ofMinutes(10))))
 * }</pre>
 *
 * A session that falls short is refused with 401 and RFC 9470's challenge
 * ({@code WWW-Authenticate: Bearer error="insufficient_user_authentication", acr_values="aal2", max_age=600})
 * by the starter's access-denied handler, so the client steps up rather than logs in again. The
 * level and time come from the answer the filter already has: no extra call.
 */
public final class SessionAssurance implements AuthorizationManager<RequestAuthorizationContext> {

    /** Set on a request refused for assurance: the {@link Assurance} it needed, for the challenge. */
    public static final String REQUIRED_ATTRIBUTE = SessionAssurance.class.getName() + ".REQUIRED";

    private final Assurance assurance;
    private final Clock clock;

    private SessionAssurance(Assurance assurance, Clock clock) {
        this.assurance = Objects.requireNonNull(assurance, "assurance");
        this.clock = clock;
    }

    /** Requests whose session meets {@code assurance}. */
    public static SessionAssurance require(Assurance assurance) {
        return new SessionAssurance(assurance, Clock.systemUTC());
    }

    /** As {@link #require(Assurance)}, judging ages by {@code clock}. */
    public static SessionAssurance require(Assurance assurance, Clock clock) {
        return new SessionAssurance(assurance, Objects.requireNonNull(clock, "clock"));
    }

    @Override
    @SuppressWarnings("deprecation") // check() is what Spring Security 6.0 to 6.3 call; authorize() defaults to it
    public AuthorizationDecision check(Supplier<Authentication> authentication, RequestAuthorizationContext context) {
        if (!(authentication.get() instanceof SessionAuthentication session)) {
            return new AuthorizationDecision(false);
        }
        boolean met = assurance.metBy(session.getPrincipal(), clock.instant());
        if (!met) {
            HttpServletRequest request = context.getRequest();
            request.setAttribute(REQUIRED_ATTRIBUTE, assurance);
        }
        return new AuthorizationDecision(met);
    }

    /** RFC 9470's challenge for {@code assurance}. */
    static String challenge(Assurance assurance) {
        return "Bearer error=\"insufficient_user_authentication\", acr_values=\"aal" + assurance.minLevel() + "\""
                + (assurance.maxAge() == null ? "" : ", max_age=" + assurance.maxAge().toSeconds());
    }
}
