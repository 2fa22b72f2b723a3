package io.sessionauthority.micronaut;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.exceptions.ConfigurationException;
import io.sessionauthority.client.SessionAuthorityClient;
import jakarta.inject.Singleton;

/**
 * The application's {@link SessionAuthorityClient}, from {@link SessionAuthorityClientConfiguration};
 * made only when {@code session-authority.client.target} is set, and closed with the context. A
 * bean of that type declared by the application replaces it.
 */
@Factory
@Requires(property = SessionAuthorityClientConfiguration.PREFIX + ".target")
public class SessionAuthorityClientFactory {

    /**
     * The client.
     *
     * @param configuration its settings
     * @return the client
     */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(missingBeans = SessionAuthorityClient.class)
    public SessionAuthorityClient sessionAuthorityClient(SessionAuthorityClientConfiguration configuration) {
        SessionAuthorityClient.Builder builder = SessionAuthorityClient.builder(configuration.getTarget().trim());
        if (configuration.isPlaintext()) {
            if (configuration.getTlsCa() != null) {
                throw new ConfigurationException(SessionAuthorityClientConfiguration.PREFIX
                        + ".plaintext contradicts .tls-ca: remove one or the other");
            }
            builder.plaintext();
        } else if (configuration.getTlsCa() != null) {
            builder.tls(configuration.getTlsCa());
        } else {
            builder.systemTrust();
        }
        if (configuration.getApiKey() != null && !configuration.getApiKey().isBlank()) {
            builder.apiKey(configuration.getApiKey());
        }
        builder.deadline(configuration.getDeadline());
        if (configuration.getCacheMaxEntries() > 0) {
            builder.validationCache(configuration.getCacheMaxEntries(), configuration.getCacheMaxAge());
        }
        return builder.build();
    }
}
