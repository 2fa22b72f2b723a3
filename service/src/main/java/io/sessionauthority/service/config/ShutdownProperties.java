package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Graceful shutdown ({@code session-authority.shutdown.*}); the grace period for calls in flight is
 * gRPC's own {@code grpc.server.await-termination}.
 *
 * @param drainDelay on SIGTERM, how long the service reports not ready before it stops taking calls,
 *                   so load balancers notice first
 */
@ConfigurationProperties("session-authority.shutdown")
public record ShutdownProperties(@Bindable(defaultValue = "0s") Duration drainDelay) {
}
