package io.sessionauthority.service.store;

import static io.sessionauthority.service.store.RedisErrors.translated;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.sessionauthority.service.throttle.ThrottleStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Failure counters and known devices in Redis (layout in {@link RedisSchema}): one small hash per
 * counter, each with a TTL, and the known devices as fields of the user's hash. The counters of one attempt live in different Cluster slots, so
 * each is its own script call; Lettuce pipelines them on the connection, so admitting an attempt
 * costs one round trip.
 */
public final class RedisThrottleStore implements ThrottleStore {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final LuaScript attemptScript = LuaScript.load("throttle_attempt");
    private final LuaScript undoScript = LuaScript.load("throttle_undo");
    private final LuaScript rememberDeviceScript = LuaScript.load("remember_device");

    public RedisThrottleStore(RedisClusterAsyncCommands<String, String> redis) {
        this.redis = redis;
    }

    @Override
    public CompletionStage<Duration> attempt(List<Counter> counters, Instant now, String attemptId) {
        List<CompletableFuture<Long>> results = each(counters, counter -> attemptScript.<Long>run(redis, ScriptOutputType.INTEGER,
                new String[] {key(counter)}, Long.toString(now.toEpochMilli()), Integer.toString(counter.maxFailures()),
                Long.toString(counter.step().toMillis()), Long.toString(counter.maxLockout().toMillis()),
                Long.toString(counter.window().toMillis()), attemptId));
        // A failure here leaves the attempt's outcome unknown (a timed-out script may still run): the
        // caller takes it back by its id, on every counter (LoginThrottle).
        CompletionStage<Duration> verdict = all(results).thenCompose(done -> {
            List<Counter> admitted = new ArrayList<>();
            long lockedUntil = 0;
            for (int i = 0; i < counters.size(); i++) {
                long until = results.get(i).join();
                if (until == 0) {
                    admitted.add(counters.get(i));
                }
                lockedUntil = Math.max(lockedUntil, until);
            }
            if (lockedUntil == 0) {
                return CompletableFuture.completedFuture(Duration.ZERO);
            }
            Duration wait = Duration.ofMillis(Math.max(1, lockedUntil - now.toEpochMilli()));
            return undo(admitted, attemptId).thenApply(undone -> wait);
        });
        return translated(verdict);
    }

    @Override
    public CompletionStage<Void> undo(List<Counter> counters, String attemptId) {
        return translated(all(each(counters, counter -> undoScript.<Long>run(redis, ScriptOutputType.INTEGER,
                new String[] {key(counter)}, Integer.toString(counter.maxFailures()), attemptId))));
    }

    @Override
    public CompletionStage<Void> confirm(List<Counter> counters, String attemptId) {
        return translated(all(each(counters, counter -> redis.hdel(key(counter), "a:" + attemptId))));
    }

    @Override
    public CompletionStage<Void> reset(List<Counter> counters) {
        return translated(all(each(counters, counter -> redis.del(key(counter)))));
    }

    @Override
    public CompletionStage<Boolean> knowsDevice(String username, String userId, String deviceId, Instant now) {
        // Two reads pipelined on the connection: one round trip. The username check binds the device
        // to the account the attempt is for. Devices remembered by versions before are in a sorted
        // set of their own until a write moves them (remember_device.lua), or they expire.
        CompletableFuture<List<KeyValue<String, String>>> user = redis.hmget(RedisSchema.user(userId),
                RedisSchema.UserFields.USERNAME, RedisSchema.UserFields.KNOWN_DEVICE + deviceId).toCompletableFuture();
        CompletableFuture<Double> before = redis.zscore(RedisSchema.devices(userId), deviceId).toCompletableFuture();
        return translated(CompletableFuture.allOf(user, before).thenApply(done -> {
            long nowMillis = now.toEpochMilli();
            KeyValue<String, String> expiry = user.join().get(1);
            boolean known = expiry.hasValue() && Long.parseLong(expiry.getValue()) > nowMillis
                    || before.join() != null && before.join() > nowMillis;
            return known && username.equals(user.join().get(0).getValueOrElse(null));
        }));
    }

    @Override
    public CompletionStage<Void> rememberDevice(String userId, String deviceId, Instant expiresAt, int maxDevices, Instant now,
                                                String replacedDeviceId, Instant replacedUntil) {
        CompletionStage<Long> result = rememberDeviceScript.run(redis, ScriptOutputType.INTEGER,
                new String[] {RedisSchema.user(userId), RedisSchema.devices(userId)}, deviceId, Long.toString(expiresAt.toEpochMilli()),
                Long.toString(now.toEpochMilli()), Integer.toString(maxDevices), replacedDeviceId,
                Long.toString(replacedUntil.toEpochMilli()));
        return translated(result).thenApply(count -> null);
    }

    private static String key(Counter counter) {
        return RedisSchema.throttle(counter.scope(), counter.id());
    }

    private static <T> List<CompletableFuture<T>> each(List<Counter> counters, Function<Counter, CompletionStage<T>> call) {
        return counters.stream().map(counter -> call.apply(counter).toCompletableFuture()).toList();
    }

    private static CompletableFuture<Void> all(List<? extends CompletableFuture<?>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    }
}
