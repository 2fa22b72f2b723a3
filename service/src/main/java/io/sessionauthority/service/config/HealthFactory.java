package io.sessionauthority.service.config;

import io.grpc.protobuf.services.HealthStatusManager;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.event.connection.ConnectionEvent;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.sessionauthority.service.health.GracefulShutdown;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.sessionauthority.service.health.ServingStatus;
import io.sessionauthority.service.store.RedisProbe;

/** Health reporting: the gRPC health service follows Redis, and shutdown. */
@Factory
public class HealthFactory {

    @Context
    @Bean(preDestroy = "close")
    ServingStatus servingStatus(HealthStatusManager health, RedisClusterAsyncCommands<String, String> redis,
                                StatefulConnection<String, String> connection, HealthProperties properties) {
        ServingStatus status = new ServingStatus(health, new RedisProbe(redis), properties.interval());
        // A lost or regained connection, or a changed Cluster topology, is checked at once.
        connection.getResources().eventBus().get()
                .filter(event -> event instanceof ConnectionEvent || event instanceof ClusterTopologyChangedEvent)
                .subscribe(event -> status.checkSoon());
        return status;
    }

    /** SIGTERM drains and exits 0; not in tests, where many services share one JVM. */
    @Context
    @Requires(notEnv = Environment.TEST)
    GracefulShutdownInstalled gracefulShutdown(ApplicationContext context, ServingStatus status, ShutdownProperties properties) {
        GracefulShutdown.onSigterm(context::stop, status, properties.drainDelay());
        return new GracefulShutdownInstalled();
    }

    /** Marks that SIGTERM is handled. */
    public record GracefulShutdownInstalled() {
    }
}
