package io.sessionauthority.spring;

import io.sessionauthority.client.SessionInfo;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by a live Session Authority session. The principal is the
 * {@link SessionInfo} itself, so a controller takes it with
 * {@code @AuthenticationPrincipal SessionInfo session}; the name is the session's username.
 *
 * <p>The token is not kept: {@link #getCredentials()} is always null, so it cannot leak through a
 * log line, a serialized context or an event.
 */
public class SessionAuthentication extends AbstractAuthenticationToken {

    private static final long serialVersionUID = 1L;

    /** The one authority every session has; a {@link SessionAuthoritiesMapper} may add others. */
    public static final String ROLE_USER = "ROLE_USER";

    private static final List<GrantedAuthority> AUTHORITIES = List.of(new SimpleGrantedAuthority(ROLE_USER));

    private final SessionInfo session;

    /**
     * An authenticated token for {@code session}.
     *
     * @param session the live session the request's token belongs to
     */
    public SessionAuthentication(SessionInfo session) {
        this(session, AUTHORITIES);
    }

    /**
     * An authenticated token for {@code session} with {@code authorities} (see {@link SessionAuthoritiesMapper}).
     *
     * @param session     the live session the request's token belongs to
     * @param authorities what the session may do
     */
    public SessionAuthentication(SessionInfo session, Collection<? extends GrantedAuthority> authorities) {
        super(authorities);
        this.session = Objects.requireNonNull(session, "session");
        super.setAuthenticated(true);
    }

    /** The session, as {@link #getPrincipal()} does with its precise type. */
    public SessionInfo getSession() {
        return session;
    }

    /** The {@link SessionInfo}. */
    @Override
    public SessionInfo getPrincipal() {
        return session;
    }

    /** Always null: the token is never kept. */
    @Override
    public Object getCredentials() {
        return null;
    }

    /** The session's username. */
    @Override
    public String getName() {
        return session.username();
    }

    /** Only the constructor makes one authenticated; this may only take that back. */
    @Override
    public void setAuthenticated(boolean authenticated) {
        if (authenticated) {
            throw new IllegalArgumentException("a SessionAuthentication is authenticated only by its constructor");
        }
        super.setAuthenticated(false);
    }
}
