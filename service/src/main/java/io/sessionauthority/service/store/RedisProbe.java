package io.sessionauthority.service.store;

import static io.sessionauthority.service.store.RedisErrors.translated;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletionStage;

/** Asks Redis whether it answers at all (PING), for health reporting. */
public final class RedisProbe {

    private final RedisClusterAsyncCommands<String, String> redis;

    public RedisProbe(RedisClusterAsyncCommands<String, String> redis) {
        this.redis = redis;
    }

    /**
     * Keys with a TTL across the keyspace, from {@code INFO keyspace}: sessions dominate it (with
     * per-user indexes, tombstones and login-failure counters), so it approximates the live
     * sessions without ever scanning keys.
     */
    public CompletionStage<Long> keysWithTtl() {
        return translated(redis.info("keyspace").thenApply(RedisProbe::sumExpires));
    }

    static long sumExpires(String info) {
        long total = 0;
        for (String line : info.split("\\R")) {
            int at = line.indexOf("expires=");
            if (line.startsWith("db") && at >= 0) {
                int end = line.indexOf(',', at);
                total += Long.parseLong(line.substring(at + "expires=".length(), end < 0 ? line.length() : end).trim());
            }
        }
        return total;
    }

    /** Completes when Redis answered; fails with StoreUnavailableException otherwise. */
    public CompletionStage<Void> ping() {
        return translated(redis.ping().thenApply(pong -> null));
    }
}
