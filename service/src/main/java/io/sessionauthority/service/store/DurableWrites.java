package io.sessionauthority.service.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The writes that end sessions (a revoke, revoke-all, a password change) are acknowledged only once
 * a replica has them. Redis replicates asynchronously: a revoke acknowledged in the instant before
 * its master dies can be missing on the replica that is promoted, and a lost revoke is a session
 * that comes back. So these writes run, followed by {@code WAIT}, on a connection of their own to
 * the master that owns the key: {@code WAIT} covers the writes of the connection that sends it and
 * blocks that connection meanwhile, so it must neither share the connection every Validate rides on
 * nor miss the write it vouches for. If fewer replicas than required confirm in time, the caller
 * gets UNAVAILABLE (the write is on the master, and retrying it is harmless).
 *
 * <p>{@link Mode#AUTO} (the default) waits only where the master has replicas online
 * ({@code INFO replication}, looked up at most once a second): a single Redis in development pays
 * nothing. {@link Mode#ON} always waits, so a master that lost its replicas refuses to acknowledge
 * revokes; {@link Mode#OFF} never does.
 */
public final class DurableWrites implements AutoCloseable {

    /** When to wait for replicas. */
    public enum Mode { AUTO, ON, OFF }

    private static final Pattern ONLINE_REPLICA = Pattern.compile("(?m)^slave\\d+:.*state=online");
    private static final long REPLICA_COUNT_TTL_NANOS = Duration.ofSeconds(1).toNanos();

    private final Mode mode;
    private final int replicas;
    private final Duration timeout;
    private final RedisClusterAsyncCommands<String, String> shared;
    private final Masters masters;
    private final Map<RedisClusterAsyncCommands<String, String>, ReplicaCount> replicaCounts = new ConcurrentHashMap<>();

    private DurableWrites(Mode mode, int replicas, Duration timeout, RedisClusterAsyncCommands<String, String> shared, Masters masters) {
        if (replicas < 1) {
            throw new IllegalArgumentException("durable writes need at least 1 replica to confirm, not " + replicas);
        }
        this.mode = mode;
        this.replicas = replicas;
        this.timeout = timeout;
        this.shared = shared;
        this.masters = masters;
    }

    /** For a standalone or Sentinel-managed Redis: one more connection from the same client. */
    public static DurableWrites of(Mode mode, int replicas, Duration timeout, RedisClusterAsyncCommands<String, String> shared,
                                   RedisClient client) {
        Lazy<StatefulRedisConnection<String, String>> connection = new Lazy<>(client::connect);
        return new DurableWrites(mode, replicas, timeout, shared, new Masters() {
            @Override
            public CompletionStage<RedisClusterAsyncCommands<String, String>> forKey(String key) {
                return connection.get().thenApply(StatefulRedisConnection::async);
            }

            @Override
            public void close() {
                connection.close(StatefulRedisConnection::close);
            }
        });
    }

    /** For a Redis Cluster: a cluster connection of its own, and on it the master of the key's slot. */
    public static DurableWrites of(Mode mode, int replicas, Duration timeout, RedisClusterAsyncCommands<String, String> shared,
                                   RedisClusterClient client) {
        Lazy<StatefulRedisClusterConnection<String, String>> cluster = new Lazy<>(client::connect);
        return new DurableWrites(mode, replicas, timeout, shared, new Masters() {
            @Override
            public CompletionStage<RedisClusterAsyncCommands<String, String>> forKey(String key) {
                return cluster.get().thenCompose(connection -> {
                    RedisClusterNode master = connection.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
                    if (master == null) {
                        return CompletableFuture.failedFuture(new RedisException("no master serves the slot of " + key));
                    }
                    return connection.getConnectionAsync(master.getNodeId()).thenApply(StatefulRedisConnection::async);
                });
            }

            @Override
            public void close() {
                cluster.close(StatefulRedisClusterConnection::close);
            }
        });
    }

    /** Without replicas to wait for (tests of the other stores, and {@link Mode#OFF}). */
    public static DurableWrites none(RedisClusterAsyncCommands<String, String> shared) {
        return new DurableWrites(Mode.OFF, 1, Duration.ZERO, shared, new Masters() {
            @Override
            public CompletionStage<RedisClusterAsyncCommands<String, String>> forKey(String key) {
                return CompletableFuture.completedFuture(shared);
            }

            @Override
            public void close() {
            }
        });
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Runs {@code write} (which touches only {@code key}'s slot) and completes once it is durable as
     * configured; fails with a Redis exception (UNAVAILABLE to the caller) when the replicas did not
     * confirm it within the timeout.
     */
    <T> CompletionStage<T> run(String key, Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> write) {
        if (mode == Mode.OFF) {
            return write.apply(shared);
        }
        return masters.forKey(key).thenCompose(master -> {
            // WAIT vouches for the writes of its own connection. Lettuce re-sends a command in flight
            // on a new connection after a reconnect, where WAIT would vouch for nothing: the
            // connection's id before the write and after WAIT must be the same one.
            CompletionStage<Long> before = master.clientId();
            return write.apply(master).thenCompose(result -> mustWait(master).thenCompose(wait -> !wait
                    ? CompletableFuture.completedFuture(result)
                    : master.waitForReplication(replicas, timeout.toMillis()).thenCompose(confirmed -> {
                        if (confirmed < replicas) {
                            throw new NotConfirmedException("WAIT: " + confirmed + " of " + replicas
                                    + " replicas confirmed the write within " + timeout.toMillis() + " ms");
                        }
                        return before.thenCombine(master.clientId(), (first, last) -> {
                            if (!first.equals(last)) {
                                throw new NotConfirmedException("the connection was re-established during the write: its WAIT vouches for nothing");
                            }
                            return result;
                        });
                    })));
        });
    }

    private CompletionStage<Boolean> mustWait(RedisClusterAsyncCommands<String, String> master) {
        if (mode == Mode.ON) {
            return CompletableFuture.completedFuture(true);
        }
        ReplicaCount known = replicaCounts.get(master);
        if (known != null && System.nanoTime() - known.seenAtNanos() < REPLICA_COUNT_TTL_NANOS) {
            return CompletableFuture.completedFuture(known.online() > 0);
        }
        return master.info("replication").thenApply(info -> {
            int online = onlineReplicas(info);
            replicaCounts.put(master, new ReplicaCount(online, System.nanoTime()));
            return online > 0;
        });
    }

    static int onlineReplicas(String info) {
        Matcher matcher = ONLINE_REPLICA.matcher(info);
        int online = 0;
        while (matcher.find()) {
            online++;
        }
        return online;
    }

    @Override
    public void close() {
        masters.close();
    }

    private record ReplicaCount(int online, long seenAtNanos) {
    }

    private interface Masters extends AutoCloseable {
        CompletionStage<RedisClusterAsyncCommands<String, String>> forKey(String key);

        @Override
        void close();
    }

    /**
     * A connection made on first use, off the calling thread (connecting blocks, and callers may be
     * on an event loop); a failed attempt is forgotten, so the next write tries again.
     */
    private static final class Lazy<C> {
        private final Supplier<C> connect;
        private final AtomicReference<CompletableFuture<C>> current = new AtomicReference<>();

        Lazy(Supplier<C> connect) {
            this.connect = connect;
        }

        CompletionStage<C> get() {
            CompletableFuture<C> existing = current.get();
            if (existing != null) {
                return existing;
            }
            CompletableFuture<C> attempt = new CompletableFuture<>();
            if (!current.compareAndSet(null, attempt)) {
                return get(); // another caller's attempt, or (if it failed meanwhile) a new one
            }
            CompletableFuture.runAsync(() -> {
                try {
                    attempt.complete(connect.get());
                } catch (RuntimeException e) {
                    current.compareAndSet(attempt, null);
                    attempt.completeExceptionally(e);
                }
            });
            return attempt;
        }

        void close(java.util.function.Consumer<C> closer) {
            CompletableFuture<C> existing = current.getAndSet(null);
            if (existing != null) {
                existing.thenAccept(closer);
            }
        }
    }

    /** The write ran on the master, but its replication was not confirmed: repeating it writes it twice. */
    static final class NotConfirmedException extends RedisException {
        NotConfirmedException(String message) {
            super(message);
        }
    }
}
