package io.sessionauthority.service.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.nio.NioEventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One Redis connection on each of the service's event loops, for Validate's read.
 *
 * <p>A call served on an event loop that reads Redis through the shared connection pays for two
 * thread hand-offs: its command goes to the shared connection's loop, and the reply comes back on
 * that loop, which then hands the answer to the call's loop to be written. Measured with perf, these
 * hand-offs (wake-ups, queues, context switches) cost more than everything else Validate does. A
 * connection registered on the call's own loop sends the command, reads the reply and writes the
 * answer on that one thread; commands from all the calls of a loop turn leave in one write.
 *
 * <p>Only reads use these connections: every write, script and blocking command stays on the shared
 * connection, whose order they need. A thread that is not one of the loops, or a loop whose
 * connection is down (reconnecting by itself), gets the shared connection. Redis Cluster, Sentinel
 * and Master/Replica setups always use the shared connection.
 */
public final class LoopConnections implements AutoCloseable {

    /** The name each loop connection gives itself, so that operators tell them apart in CLIENT LIST. */
    public static final String CLIENT_NAME = "session-authority-validate";

    private static final Logger LOG = LoggerFactory.getLogger(LoopConnections.class);

    /** How long a loop waits before it tries again to make a connection it could not make. */
    static final Duration RETRY = Duration.ofSeconds(1);

    private final List<CommandListener> listeners;
    private final List<EventLoop> loops;
    private final RedisClient shared;
    private final RedisURI uri;
    private final AtomicReferenceArray<RedisClient> clients;
    private final AtomicReferenceArray<StatefulRedisConnection<String, String>> connections;
    /** Whether loop i has begun connecting; read and written on loop i only. */
    private final boolean[] started;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicInteger failedAttempts = new java.util.concurrent.atomic.AtomicInteger();

    private LoopConnections(List<EventLoop> loops, RedisClient shared, RedisURI uri, List<CommandListener> listeners) {
        this.listeners = List.copyOf(listeners);
        this.loops = loops;
        this.shared = shared;
        this.uri = uri;
        this.clients = new AtomicReferenceArray<>(loops.size());
        this.connections = new AtomicReferenceArray<>(loops.size());
        this.started = new boolean[loops.size()];
    }

    /** No loop connections: every read uses the shared connection. */
    public static LoopConnections none() {
        return new LoopConnections(List.of(), null, null, List.of());
    }

    /**
     * Loop connections to the standalone Redis at {@code uri}, with the shared client's options and
     * resources (reconnect delay, flush consolidation). Each loop connects the first time it reads,
     * and reads on the shared connection until its own is up: start-up waits for none of them (they
     * cost the container's start 100–400 ms when made up front), and a loop that never serves a
     * Validate never opens one. A loop that cannot connect tries again every {@link #RETRY}.
     *
     * <p>Standalone only (behind Sentinel, none: every read uses the shared connection): there, each connection looks the master up again on every
     * reconnect, and one that asked a sentinel not yet aware of a failover could settle on the old
     * master, now a replica, and read from it while revokes go to the new master: the ordering that
     * makes the read exact needs every connection on one server.
     */
    public static LoopConnections open(EventLoopGroup group, RedisClient shared, RedisURI uri) {
        return open(group, shared, uri, List.of());
    }

    /**
     * As {@link #open(EventLoopGroup, RedisClient, RedisURI)}, with {@code listeners} on every loop's
     * client as on the shared one (the shared client's own are out of reach: Lettuce keeps them
     * protected), so a command that fails on a loop connection is counted like any other.
     */
    public static LoopConnections open(EventLoopGroup group, RedisClient shared, RedisURI uri, List<CommandListener> listeners) {
        if (!uri.getSentinels().isEmpty()) {
            return none();
        }
        if (Transports.eventLoopGroupClass() != NioEventLoopGroup.class) {
            // A native transport would make channels these (NIO) loops cannot carry.
            LOG.warn("Validate reads Redis on the shared connection: Lettuce uses a native transport ({})",
                    Transports.eventLoopGroupClass().getSimpleName());
            return none();
        }
        List<EventLoop> loops = new ArrayList<>();
        group.forEach(executor -> loops.add((EventLoop) executor));
        return new LoopConnections(loops, shared, RedisURI.builder(uri).withClientName(CLIENT_NAME).build(), listeners);
    }

    /**
     * The commands of the calling loop's connection, or {@code fallback} off the loops or while that
     * connection is not up (the first call on a loop starts connecting it).
     */
    RedisClusterAsyncCommands<String, String> forCurrentThread(RedisClusterAsyncCommands<String, String> fallback) {
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i).inEventLoop()) {
                StatefulRedisConnection<String, String> connection = connections.get(i);
                if (connection != null && connection.isOpen()) {
                    return connection.async();
                }
                if (!started[i] && !closed) {
                    started[i] = true;
                    connect(i, 1);
                }
                return fallback;
            }
        }
        return fallback;
    }

    private void connect(int i, int attempt) {
        RedisClient client = clients.get(i);
        if (client == null) {
            ClientResources resources = shared.getResources().mutate().eventLoopGroupProvider(new OneLoop(loops.get(i))).build();
            client = RedisClient.create(resources);
            client.setOptions(shared.getOptions());
            listeners.forEach(client::addListener);
            clients.set(i, client);
        }
        client.connectAsync(Utf8StringCodec.UTF8, uri).whenComplete((connection, error) -> {
            if (closed) {
                if (connection != null) {
                    connection.closeAsync();
                }
            } else if (error != null) {
                failedAttempts.incrementAndGet();
                if (attempt == 1) {
                    LOG.warn("An event loop reads Redis on the shared connection until its own connects ({}); trying again every {} ms",
                            error.toString(), RETRY.toMillis());
                }
                try {
                    loops.get(i).schedule(() -> connect(i, attempt + 1), RETRY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException shuttingDown) {
                    // The loops are stopping: nothing left to read for.
                }
            } else {
                connections.set(i, connection);
            }
        });
    }

    /** How many loops may have a connection of their own (none when they are off, or behind Sentinel). */
    public int loopCount() {
        return loops.size();
    }

    /** Attempts to connect a loop that failed so far (each is tried again after {@link #RETRY}). */
    int failedAttempts() {
        return failedAttempts.get();
    }

    /** How many loops have a connection of their own that is up now. */
    public int size() {
        int open = 0;
        for (int i = 0; i < connections.length(); i++) {
            StatefulRedisConnection<String, String> connection = connections.get(i);
            open += connection != null && connection.isOpen() ? 1 : 0;
        }
        return open;
    }

    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < connections.length(); i++) {
            StatefulRedisConnection<String, String> connection = connections.getAndSet(i, null);
            if (connection != null) {
                connection.close();
            }
            RedisClient client = clients.getAndSet(i, null);
            if (client != null) {
                // The resources' shared parts belong to the shared client; the loops, to the gRPC server.
                client.shutdown(0, 1, TimeUnit.SECONDS);
            }
        }
    }

    /** Lettuce's event loop provider for a client whose connections all live on one given loop. */
    private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {

        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return (T) loop;
        }

        @Override
        public int threadPoolSize() {
            return 1;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
