package io.sessionauthority.service.config;

import io.grpc.protobuf.services.HealthStatusManager;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.sessionauthority.service.health.ServingStatus;
import io.sessionauthority.service.store.RedisProbe;
import java.time.Duration;

/** Health reporting: the gRPC health service follows Redis, and shutdown. */
@Factory
public class HealthFactory {

    @Context
    @Bean(preDestroy = "close")
    ServingStatus servingStatus(HealthStatusManager health, RedisClusterAsyncCommands<String, String> redis,
                                @Property(name = "session-authority.health.interval", defaultValue = "1s") Duration interval) {
        return new ServingStatus(health, new RedisProbe(redis), interval);
    }
}
