package io.sessionauthority.service.store;

import static io.sessionauthority.service.store.RedisErrors.translated;

import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.concurrent.CompletionStage;

/** Asks Redis whether it answers at all (PING), for health reporting. */
public final class RedisProbe {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final DeferredConnection connection;

    /** A probe of {@code redis}, with no second opinion ({@link #pingOverNewConnection} fails). */
    public RedisProbe(RedisClusterAsyncCommands<String, String> redis) {
        this(redis, null);
    }

    /** A probe of {@code connection}'s commands, which may also ask a new connection of the same kind. */
    public RedisProbe(DeferredConnection connection) {
        this(connection.commands(), connection);
    }

    private RedisProbe(RedisClusterAsyncCommands<String, String> redis, DeferredConnection connection) {
        this.redis = redis;
        this.connection = connection;
    }

    /**
     * Whether the probed connection is open (false while it reconnects, which it does by itself).
     * Without a connection to ask, true.
     */
    public boolean connectionOpen() {
        return connection == null || connection.open();
    }

    /**
     * {@link #ping} over a connection opened for it and closed after: whether Redis serves a
     * newcomer while the long-lived connection gets no answer. Blocks for the connect.
     */
    public CompletionStage<Void> pingOverNewConnection() {
        if (connection == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no connection to open again"));
        }
        return connection.withNewConnection(commands -> ping(commands));
    }

    /**
     * Keys with a TTL across the keyspace, from {@code INFO keyspace}: sessions dominate it (with
     * tombstones, end reasons and login-failure counters), so it approximates the live
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

    /**
     * Completes when Redis can serve calls; fails with StoreUnavailableException otherwise. A
     * standalone or Sentinel-managed Redis must answer a PING. A Cluster must say
     * {@code cluster_state:ok} and every master the client routes to must answer a PING: a shard
     * that does not answer is a slot range whose calls fail, and that is a partial outage (with
     * Redis' default {@code cluster-require-full-coverage yes} the whole cluster refuses keys once
     * the node timeout declares the master failed anyway). Every replica of the service sees the
     * same cluster: health.ServingStatus says why that alone does not take a replica out of rotation.
     */
    public CompletionStage<Void> ping() {
        return ping(redis);
    }

    private static CompletionStage<Void> ping(RedisClusterAsyncCommands<String, String> redis) {
        if (redis instanceof RedisAdvancedClusterAsyncCommands<String, String> cluster) {
            CompletionStage<Void> stateOk = cluster.clusterInfo().thenAccept(info -> {
                if (!info.contains("cluster_state:ok")) {
                    throw new RedisException("cluster_state is not ok: some slots are not served");
                }
            });
            // The masters that serve slots: after a failover the old one keeps its role in the
            // client's view until it rejoins, but no longer any slot.
            CompletionStage<Void> mastersAnswer = cluster.nodes(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM)
                    && !node.is(RedisClusterNode.NodeFlag.FAIL) && !node.getSlots().isEmpty()).commands().ping().thenAccept(pongs -> { });
            return translated(stateOk.thenCombine(mastersAnswer, (a, b) -> null));
        }
        return translated(redis.ping().thenApply(pong -> null));
    }
}
