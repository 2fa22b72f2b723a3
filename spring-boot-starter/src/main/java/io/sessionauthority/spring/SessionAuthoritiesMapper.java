package io.sessionauthority.spring;

import io.sessionauthority.client.SessionInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The authorities of a request authenticated by {@code session}: what {@code hasRole(…)} and
 * {@code hasAuthority(…)} see. Declare a bean of this type to map sessions your way; the default
 * is {@link #fromAttribute(String)} of {@code session-authority.client.authorities-attribute}.
 */
@FunctionalInterface
public interface SessionAuthoritiesMapper {

    /**
     * The authorities of a live session.
     *
     * @param session the session the request's token belongs to
     * @return its authorities
     */
    Collection<? extends GrantedAuthority> authorities(SessionInfo session);

    /**
     * {@code ROLE_USER} for every session, and {@code ROLE_<value>} for each comma-separated value of
     * the session attribute {@code attribute} (blank values skipped). The attribute is set by whoever
     * may set attributes on the session (at login, or with Touch), so it carries what the authority's
     * callers decided, not what the end user sent.
     *
     * @param attribute the attribute's name; null or empty for {@code ROLE_USER} alone
     * @return the mapper
     */
    static SessionAuthoritiesMapper fromAttribute(String attribute) {
        return session -> {
            List<GrantedAuthority> authorities = new ArrayList<>();
            authorities.add(new SimpleGrantedAuthority(SessionAuthentication.ROLE_USER));
            if (attribute != null && !attribute.isEmpty()) {
                for (String value : session.attribute(attribute).orElse("").split(",")) {
                    if (!value.isBlank()) {
                        authorities.add(new SimpleGrantedAuthority("ROLE_" + value.trim()));
                    }
                }
            }
            return authorities;
        };
    }
}
