package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * How the service treats its Redis connection ({@code session-authority.redis.*}). The address itself
 * is {@code redis.uri} (env {@code REDIS_URI}); the command timeout is {@code redis.timeout}
 * (env {@code REDIS_TIMEOUT}, 500 ms), which Lettuce also uses for the connections it makes itself.
 *
 * <p>Lettuce's defaults suit a batch job, not an authority on every request's path: a 60 s command
 * timeout, an unbounded queue of commands while disconnected. These replace them so a call fails
 * fast with UNAVAILABLE while Redis is away, and the connection heals by itself when it returns.
 *
 * @param connectTimeout   the longest a (re)connect attempt may take
 * @param requestQueueSize commands that may be in flight on the connection before new ones are refused
 * @param maxReconnectDelay the longest wait between two reconnect attempts while Redis is away: calls
 *                         work again within about this long of its return
 * @param tlsCa            PEM file of the CAs that sign the Redis server's certificate, for {@code rediss://}
 *                         URIs (without it, the JVM's default trust store applies)
 */
@ConfigurationProperties("session-authority.redis")
public record RedisProperties(
        @Bindable(defaultValue = "1s") Duration connectTimeout,
        @Bindable(defaultValue = "10000") int requestQueueSize,
        @Bindable(defaultValue = "500ms") Duration maxReconnectDelay,
        @Nullable String tlsCa) {
}
