package io.sessionauthority.spring;

import io.sessionauthority.client.SessionAuthorityClient;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The {@link SessionAuthorityAuthenticationFilter} of a servlet application with Spring Security,
 * for {@link SessionAuthorityConfigurer} to put in a {@link SecurityFilterChain}. Declare a bean of
 * that type to replace it.
 */
@AutoConfiguration(after = SessionAuthorityAutoConfiguration.class,
        beforeName = "org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, OncePerRequestFilter.class, SecurityFilterChain.class})
@ConditionalOnBean(SessionAuthorityClient.class)
public class SessionAuthorityServletSecurityAutoConfiguration {

    /**
     * The filter.
     *
     * @param client        the client to validate through
     * @param properties    where the cookie name comes from
     * @param contextHolder the application's security context strategy, if it declares one
     * @return the filter
     */
    @Bean
    @ConditionalOnMissingBean
    public SessionAuthorityAuthenticationFilter sessionAuthorityAuthenticationFilter(
            SessionAuthorityClient client, SessionAuthorityProperties properties,
            ObjectProvider<SecurityContextHolderStrategy> contextHolder, SessionAuthoritiesMapper authorities) {
        SessionAuthorityAuthenticationFilter filter = new SessionAuthorityAuthenticationFilter(client, properties.getCookieName());
        contextHolder.ifUnique(filter::setSecurityContextHolderStrategy);
        filter.setAuthoritiesMapper(authorities);
        filter.setRotateTokens(properties.isRotateTokens());
        filter.setRotateBearerTokens(properties.isRotateBearerTokens());
        filter.setRotatedCookieAttributes(properties.getRotatedCookieAttributes());
        return filter;
    }

    /**
     * The sessions' authorities: {@code ROLE_USER}, and the values of
     * {@code session-authority.client.authorities-attribute} if set.
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
     * An application whose users are the authority's has no passwords of its own, yet without any
     * authentication provider Spring Boot makes an in-memory user and logs "Using generated security
     * password" at every start. This provider (which accepts only the sessions the filter already
     * authenticated) makes it back off. Not declared when the application has users or providers of
     * its own, which it then keeps as they are.
     *
     * @return the provider
     */
    @Bean
    @ConditionalOnMissingBean({AuthenticationProvider.class, AuthenticationManager.class, UserDetailsService.class})
    public SessionAuthenticationProvider sessionAuthenticationProvider() {
        return new SessionAuthenticationProvider();
    }

    /**
     * Keeps Spring Boot from also registering the filter for every request of the servlet
     * container, outside the security filter chains (it does so with every {@code Filter} bean):
     * the filter belongs only to the chains that the configurer puts it in.
     *
     * @param filter the filter bean
     * @return a disabled registration
     */
    @Bean
    public FilterRegistrationBean<SessionAuthorityAuthenticationFilter> sessionAuthorityAuthenticationFilterRegistration(
            SessionAuthorityAuthenticationFilter filter) {
        FilterRegistrationBean<SessionAuthorityAuthenticationFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setEnabled(false);
        return registration;
    }
}
