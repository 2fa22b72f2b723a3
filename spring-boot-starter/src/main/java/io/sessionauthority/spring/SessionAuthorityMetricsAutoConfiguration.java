package io.sessionauthority.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.sessionauthority.client.SessionAuthorityClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link SessionAuthorityMetrics} when the application has a Micrometer {@link MeterRegistry}
 * (Spring Boot Actuator's, or one it declares). Ordered after Actuator's registry configuration so
 * that the registry bean is known when the condition is evaluated.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(MeterRegistry.class)
public class SessionAuthorityMetricsAutoConfiguration {

    /**
     * The client's metrics, picked up by {@link SessionAuthorityAutoConfiguration} as a listener.
     *
     * @param registry where the meters go
     * @return the listener that records them
     */
    @Bean
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnMissingBean
    public SessionAuthorityMetrics sessionAuthorityMetrics(MeterRegistry registry) {
        return new SessionAuthorityMetrics(registry);
    }

    /**
     * Gauges of the client's connection and revocation stream.
     *
     * @param registry where the gauges go
     * @param client   the client, made after this configuration's beans
     * @return the gauges
     */
    @Bean
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnMissingBean
    public SessionAuthorityClientGauges sessionAuthorityClientGauges(MeterRegistry registry, ObjectProvider<SessionAuthorityClient> client) {
        return new SessionAuthorityClientGauges(registry, client);
    }
}
