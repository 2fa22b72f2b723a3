package io.sessionauthority.spring;

import io.sessionauthority.client.SessionAuthInterceptor;
import io.sessionauthority.client.SessionAuthorityClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * A {@link SessionAuthInterceptor} bean (an {@code io.grpc.ServerInterceptor}) for applications
 * that serve gRPC: a gRPC server starter applies it globally when told to (see the README), and
 * every call then needs {@code authorization: Bearer <token>}. Methods and services named in
 * {@code session-authority.client.interceptor.*} are exempt, gRPC health checks by default.
 * Declare a bean of that type to replace it.
 */
@AutoConfiguration(after = SessionAuthorityAutoConfiguration.class)
@ConditionalOnClass(name = "io.grpc.ServerInterceptor")
@ConditionalOnBean(SessionAuthorityClient.class)
public class SessionAuthorityGrpcAutoConfiguration {

    /**
     * The interceptor.
     *
     * @param client     the client to validate through
     * @param properties where the exempt methods and services come from
     * @return the interceptor
     */
    @Bean
    @ConditionalOnMissingBean
    public SessionAuthInterceptor sessionAuthInterceptor(SessionAuthorityClient client, SessionAuthorityProperties properties) {
        SessionAuthorityProperties.Interceptor settings = properties.getInterceptor();
        return SessionAuthInterceptor.builder(client)
                .exempt(settings.getExemptMethods().toArray(String[]::new))
                .exemptService(settings.getExemptServices().toArray(String[]::new))
                .build();
    }
}
