package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Limits of the management HTTP port ({@code session-authority.management.*}); see {@link ManagementServerLimits}.
 *
 * @param maxConnections connections at once; beyond, new ones are closed at once
 * @param headerTimeout  time a connection has to send a complete request's headers, after connecting
 *                       or after its previous response
 */
@ConfigurationProperties("session-authority.management")
public record ManagementProperties(
        @Bindable(defaultValue = "64") int maxConnections,
        @Bindable(defaultValue = "5s") Duration headerTimeout) {
}
