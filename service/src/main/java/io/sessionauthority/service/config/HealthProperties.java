package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Health reporting ({@code session-authority.health.*}).
 *
 * @param interval how often Redis is pinged for the health status
 */
@ConfigurationProperties("session-authority.health")
public record HealthProperties(@Bindable(defaultValue = "1s") Duration interval) {
}
