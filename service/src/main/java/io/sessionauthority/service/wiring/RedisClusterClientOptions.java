package io.sessionauthority.service.wiring;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.sessionauthority.service.config.RedisProperties;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The same fail-fast options as {@link RedisClientOptions} for a Redis Cluster client, plus
 * topology refresh, so a failover or a resharding is followed without a restart and without luck:
 * refreshes used to happen at reconnect attempts (doubling: 0.5, 1.8, 2.9, 5, 9, 17, 34 s) and
 * every 30 s, so a promotion that landed just after one waited for the next.
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
                        // Every second, and at once on the failure signals (a redirect, an unknown node, an
                        // uncovered slot, the first failed reconnect), at most twice a second: a promotion
                        // is seen within a second of happening, not at the next doubling of a backoff.
                        .enablePeriodicRefresh(Duration.ofSeconds(1))
                        .enableAllAdaptiveRefreshTriggers()
                        .refreshTriggersReconnectAttempts(1)
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .build())
                .build());
        return client;
    }
}
