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
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The {@link SessionAuthorityAuthenticationFilter} of a servlet application with Spring Security,
 * for {@link SessionAuthorityConfigurer} to put in a {@link SecurityFilterChain}. Declare a bean of
 * that type to replace it.
 */
@AutoConfiguration(after = SessionAuthorityAutoConfiguration.class)
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
            ObjectProvider<SecurityContextHolderStrategy> contextHolder) {
        SessionAuthorityAuthenticationFilter filter = new SessionAuthorityAuthenticationFilter(client, properties.getCookieName());
        contextHolder.ifUnique(filter::setSecurityContextHolderStrategy);
        return filter;
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
