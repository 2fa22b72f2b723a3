package io.sessionauthority.spring;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;

/**
 * Accepts a {@link SessionAuthentication} the filter made (it is authenticated only by its
 * constructor, from a live session) and nothing else. Its use is to be the application's
 * authentication provider, so that Spring Boot does not make an in-memory user with a generated
 * password (see {@link SessionAuthorityServletSecurityAutoConfiguration}).
 */
public class SessionAuthenticationProvider implements AuthenticationProvider {

    @Override
    public Authentication authenticate(Authentication authentication) {
        return authentication instanceof SessionAuthentication session && session.isAuthenticated() ? session : null;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return SessionAuthentication.class.isAssignableFrom(authentication);
    }
}
