package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.sessionauthority.service.store.DurableWrites;
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
 * @param durableRevokes  whether revokes, revoke-all and password changes are acknowledged only once
 *                         replicas confirm them (WAIT): {@code auto} (where the master has replicas
 *                         online), {@code on} (always: a master without replicas refuses to
 *                         acknowledge them) or {@code off}
 * @param durableRevokesReplicas how many replicas must confirm
 * @param durableRevokesTimeout how long to wait for them before answering UNAVAILABLE; below
 *                         {@code redis.timeout}
 * @param loopConnections whether Validate reads Redis on a connection of each gRPC event loop
 *                         (a standalone Redis only; behind Sentinel reads stay on the shared connection), instead of handing every read to the
 *                         shared connection's thread and back
 * @param tlsCa            PEM file of the CAs that sign the Redis server's certificate, for {@code rediss://}
 *                         URIs (without it, the JVM's default trust store applies)
 */
@ConfigurationProperties("session-authority.redis")
public record RedisProperties(
        @Bindable(defaultValue = "1s") Duration connectTimeout,
        @Bindable(defaultValue = "10000") int requestQueueSize,
        @Bindable(defaultValue = "500ms") Duration maxReconnectDelay,
        @Bindable(defaultValue = "auto") DurableWrites.Mode durableRevokes,
        @Bindable(defaultValue = "1") int durableRevokesReplicas,
        @Bindable(defaultValue = "300ms") Duration durableRevokesTimeout,
        @Bindable(defaultValue = "true") boolean loopConnections,
        @Nullable String tlsCa) {

    /** WAIT is a Redis command too: its own timeout must end before the command's. */
    public void requireWaitBelow(Duration commandTimeout) {
        if (durableRevokes != DurableWrites.Mode.OFF && durableRevokesTimeout.compareTo(commandTimeout) >= 0) {
            throw new IllegalStateException("session-authority.redis.durable-revokes-timeout (" + durableRevokesTimeout
                    + ") must be below redis.timeout (" + commandTimeout + ")");
        }
        if (durableRevokesReplicas < 1) {
            throw new IllegalStateException("session-authority.redis.durable-revokes-replicas must be at least 1");
        }
    }
}
