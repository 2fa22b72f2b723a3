package io.sessionauthority.service.store;

import static io.sessionauthority.service.store.RedisErrors.translated;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.sessionauthority.service.throttle.ThrottleStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Login failure counters in Redis: one small hash per counter ({@code f} failures, {@code lu}
 * locked until), each with a TTL. Counters of one attempt live in different Cluster slots, so each
 * is its own command; Lettuce pipelines them on the connection, so a check costs one round trip.
 */
public final class RedisThrottleStore implements ThrottleStore {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final LuaScript failureScript = LuaScript.load("throttle_failure");

    public RedisThrottleStore(RedisClusterAsyncCommands<String, String> redis) {
        this.redis = redis;
    }

    @Override
    public CompletionStage<Duration> lockedFor(List<Counter> counters, Instant now) {
        List<CompletableFuture<String>> reads = counters.stream()
                .map(counter -> redis.hget(RedisKeys.throttle(counter.scope(), counter.id()), "lu").toCompletableFuture())
                .toList();
        CompletionStage<Duration> longest = CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            long until = reads.stream().map(CompletableFuture::join)
                    .filter(value -> value != null)
                    .mapToLong(RedisSessionStore::epochMillis)
                    .max().orElse(0);
            return until > now.toEpochMilli() ? Duration.ofMillis(until - now.toEpochMilli()) : Duration.ZERO;
        });
        return translated(longest);
    }

    @Override
    public CompletionStage<Void> recordFailure(List<Counter> counters, Instant now) {
        CompletableFuture<?>[] writes = counters.stream()
                .map(counter -> failureScript.<Long>run(redis, ScriptOutputType.INTEGER,
                                new String[] {RedisKeys.throttle(counter.scope(), counter.id())},
                                Long.toString(now.toEpochMilli()), Integer.toString(counter.maxFailures()),
                                Long.toString(counter.step().toMillis()), Long.toString(counter.maxLockout().toMillis()),
                                Long.toString(counter.window().toMillis()))
                        .toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return translated(CompletableFuture.allOf(writes));
    }

    @Override
    public CompletionStage<Void> reset(List<Counter> counters) {
        String[] keys = counters.stream().map(counter -> RedisKeys.throttle(counter.scope(), counter.id())).toArray(String[]::new);
        CompletableFuture<?>[] deletes = java.util.Arrays.stream(keys)
                .map(key -> redis.del(key).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return translated(CompletableFuture.allOf(deletes));
    }
}
