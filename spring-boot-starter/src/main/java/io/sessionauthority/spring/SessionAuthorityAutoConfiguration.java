package io.sessionauthority.spring;

import io.sessionauthority.client.ClientListener;
import io.sessionauthority.client.SessionAuthorityClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The application's {@link SessionAuthorityClient}, built from {@code session-authority.client.*}
 * ({@link SessionAuthorityProperties}) and closed with the context. Every {@link ClientListener}
 * bean observes its calls, {@link SessionAuthorityMetrics} among them when there is a Micrometer
 * registry. Declare a {@code SessionAuthorityClient} bean of your own to replace it.
 */
@AutoConfiguration
@EnableConfigurationProperties(SessionAuthorityProperties.class)
public class SessionAuthorityAutoConfiguration {

    /**
     * The client; startup waits for its first connection unless
     * {@code session-authority.client.await-ready-on-startup=false}, but never fails on it.
     *
     * @param properties the client's settings
     * @param listeners  the listeners to observe every call (looked up when the client is built,
     *                   so they may come from any configuration)
     * @return the client
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public SessionAuthorityClient sessionAuthorityClient(SessionAuthorityProperties properties,
                                                         ObjectProvider<ClientListener> listeners) {
        return SessionAuthorityClientFactory.create(properties, CompositeClientListener.of(listeners.orderedStream().toList()));
    }
}
