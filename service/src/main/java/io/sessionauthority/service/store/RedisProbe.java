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

    /** Completes when Redis answered; fails with StoreUnavailableException otherwise. */
    public CompletionStage<Void> ping() {
        return translated(redis.ping().thenApply(pong -> null));
    }
}
