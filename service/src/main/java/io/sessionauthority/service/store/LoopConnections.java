package io.sessionauthority.service.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.nio.NioEventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    private final List<EventLoop> loops;
    private final List<StatefulRedisConnection<String, String>> connections;
    private final List<RedisClient> clients;

    private LoopConnections(List<EventLoop> loops, List<StatefulRedisConnection<String, String>> connections,
                            List<RedisClient> clients) {
        this.loops = loops;
        this.connections = connections;
        this.clients = clients;
    }

    /** No loop connections: every read uses the shared connection. */
    public static LoopConnections none() {
        return new LoopConnections(List.of(), List.of(), List.of());
    }

    /**
     * Connects to the standalone Redis at {@code uri} once from each loop of {@code group}, with the
     * shared client's options and resources (reconnect delay, flush consolidation). A loop whose
     * connection cannot be made now is logged and reads on the shared connection.
     *
     * <p>Standalone only: behind Sentinel, each connection looks the master up again on every
     * reconnect, and one that asked a sentinel not yet aware of a failover could settle on the old
     * master, now a replica, and read from it while revokes go to the new master: the ordering that
     * makes the read exact needs every connection on one server.
     */
    public static LoopConnections open(EventLoopGroup group, RedisClient shared, RedisURI uri) {
        if (!uri.getSentinels().isEmpty()) {
            throw new IllegalArgumentException("loop connections are for a standalone Redis, not one behind Sentinel");
        }
        if (Transports.eventLoopGroupClass() != NioEventLoopGroup.class) {
            // A native transport would make channels these (NIO) loops cannot carry.
            LOG.warn("Validate reads Redis on the shared connection: Lettuce uses a native transport ({})",
                    Transports.eventLoopGroupClass().getSimpleName());
            return none();
        }
        RedisURI named = RedisURI.builder(uri).withClientName(CLIENT_NAME).build();
        List<EventLoop> loops = new ArrayList<>();
        List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
        List<RedisClient> clients = new ArrayList<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            if (loop.inEventLoop()) {
                throw new IllegalStateException("connecting blocks: open loop connections from outside the loops");
            }
            ClientResources resources = shared.getResources().mutate().eventLoopGroupProvider(new OneLoop(loop)).build();
            RedisClient client = RedisClient.create(resources, named);
            client.setOptions(shared.getOptions());
            try {
                connections.add(client.connect(StringCodec.UTF8));
                clients.add(client);
                loops.add(loop);
            } catch (RuntimeException e) {
                client.shutdown(0, 1, TimeUnit.SECONDS);
                LOG.warn("An event loop reads Redis on the shared connection: its own could not connect ({})",
                        e.toString());
            }
        }
        return new LoopConnections(loops, connections, clients);
    }

    /**
     * The commands of the calling loop's connection, or {@code fallback} off the loops or while that
     * connection is down.
     */
    RedisClusterAsyncCommands<String, String> forCurrentThread(RedisClusterAsyncCommands<String, String> fallback) {
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i).inEventLoop()) {
                StatefulRedisConnection<String, String> connection = connections.get(i);
                return connection.isOpen() ? connection.async() : fallback;
            }
        }
        return fallback;
    }

    /** How many loops have a connection of their own. */
    public int size() {
        return connections.size();
    }

    @Override
    public void close() {
        connections.forEach(StatefulRedisConnection::close);
        // The resources' shared parts belong to the shared client; the loops, to the gRPC server.
        clients.forEach(client -> client.shutdown(0, 1, TimeUnit.SECONDS));
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
