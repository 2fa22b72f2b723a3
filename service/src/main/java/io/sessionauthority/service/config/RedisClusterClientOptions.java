package io.sessionauthority.service.config;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The same fail-fast options as {@link RedisClientOptions} for a Redis Cluster client, plus
 * topology refresh: on MOVED/ASK redirects and lost connections at once (adaptive), and every 30 s
 * anyway, so a failover or a resharding is followed without a restart.
 */
@Singleton
public class RedisClusterClientOptions implements BeanCreatedEventListener<RedisClusterClient> {

    private final RedisProperties properties;
    private final Duration commandTimeout;

    public RedisClusterClientOptions(RedisProperties properties, @Value("${redis.timeout}") Duration commandTimeout) {
        this.properties = properties;
        this.commandTimeout = commandTimeout;
    }

    @Override
    public RedisClusterClient onCreated(BeanCreatedEvent<RedisClusterClient> event) {
        RedisClusterClient client = event.getBean();
        client.setOptions(ClusterClientOptions.builder(RedisClientOptions.clientOptions(properties, commandTimeout))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                        .build())
                .build());
        return client;
    }
}
