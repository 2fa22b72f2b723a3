package io.sessionauthority.service.wiring;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.micronaut.configuration.lettuce.AbstractRedisConfiguration;
import io.micronaut.configuration.lettuce.ClientResourcesMutator;
import io.sessionauthority.service.config.RedisProperties;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Reconnects to Redis on a short leash. Lettuce's default backoff doubles up to 30 s between
 * attempts, so after a long outage calls came back up to 30 s after Redis did (7.4 s after a 10 s
 * outage, measured). Here attempts start at 50 ms and never wait more than
 * {@code session-authority.redis.max-reconnect-delay} (500 ms): calls work again within about that
 * long of Redis' return, however long it was away. An attempt on a closed port costs a refused SYN.
 */
@Singleton
public class RedisReconnectDelay implements ClientResourcesMutator {

    private final Duration maxDelay;

    public RedisReconnectDelay(RedisProperties properties) {
        this.maxDelay = properties.maxReconnectDelay();
    }

    @Override
    public void mutate(ClientResources.Builder builder, AbstractRedisConfiguration configuration) {
        builder.reconnectDelay(Delay.exponential(Duration.ofMillis(50), maxDelay, 2, TimeUnit.MILLISECONDS));
    }
}
