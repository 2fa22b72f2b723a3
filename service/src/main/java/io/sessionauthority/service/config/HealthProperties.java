package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Health reporting ({@code session-authority.health.*}).
 *
 * @param interval how often Redis is pinged for the health status (five times as often while it
 *                 does not answer)
 * @param timeout  how long one ping may take before Redis counts as not answering; with the
 *                 interval, it bounds how late health notices a stalled Redis (interval + timeout)
 * @param warmUpCalls calls the replica makes to itself once it reaches Redis, before readiness says
 *                    SERVING (grpc.SelfWarmUp); 0 reports SERVING without them
 */
@ConfigurationProperties("session-authority.health")
public record HealthProperties(@Bindable(defaultValue = "500ms") Duration interval,
                               @Bindable(defaultValue = "300ms") Duration timeout,
                               @Bindable(defaultValue = "1000") int warmUpCalls) {
}
