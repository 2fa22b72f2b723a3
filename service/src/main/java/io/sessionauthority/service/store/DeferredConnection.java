package io.sessionauthority.service.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to Redis that the service can start without.
 *
 * <p>Lettuce reconnects a connection it once had, but its first connect fails outright when Redis
 * is not there yet, and a bean that fails at start-up stops the service: in Kubernetes, a replica
 * started a moment before Redis (or during its failover) would crash-loop. Here the first connect
 * is tried at once, as before; if Redis does not answer, the service starts all the same, its
 * commands fail as Redis being unreachable (callers get UNAVAILABLE, health reports NOT_SERVING),
 * and the connect is tried again in the background, from {@link #FIRST_RETRY} doubling to
 * {@link #MAX_RETRY}, for as long as it takes: the service serves within {@link #MAX_RETRY} of
 * Redis appearing. Once connected, Lettuce's own reconnection takes over as for any connection.
 *
 * <p>{@link #commands()} stands for the connection's asynchronous commands from the start: each
 * call goes to the connection once it exists (one reflective dispatch, a fraction of a Redis round
 * trip).
 */
public final class DeferredConnection implements AutoCloseable {

    static final Duration FIRST_RETRY = Duration.ofMillis(250);
    static final Duration MAX_RETRY = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(DeferredConnection.class);

    private final String name;
    private final Supplier<StatefulConnection<String, String>> connect;
    private final Function<StatefulConnection<String, String>, Object> async;
    private final ClientResources resources;
    private final Object commands;
    private final ScheduledExecutorService retries;
    private volatile StatefulConnection<String, String> connection;
    private volatile Object connectionCommands;
    private volatile boolean closed;
    private long failedSinceNanos;

    private DeferredConnection(String name, Supplier<StatefulConnection<String, String>> connect,
                               Function<StatefulConnection<String, String>, Object> async, Class<?> commandsType,
                               ClientResources resources) {
        this.name = name;
        this.connect = connect;
        this.async = async;
        this.resources = resources;
        this.commands = Proxy.newProxyInstance(commandsType.getClassLoader(), new Class<?>[]{commandsType}, this::invoke);
        this.retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "redis-connect-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A connection of {@code client} (standalone, or the master a Sentinel names), tried at once. */
    @SuppressWarnings("unchecked")
    public static DeferredConnection standalone(String name, RedisClient client) {
        DeferredConnection deferred = new DeferredConnection(name,
                () -> (StatefulConnection<String, String>) (Object) client.connect(Utf8StringCodec.UTF8),
                connection -> ((StatefulRedisConnection<String, String>) connection).async(), RedisAsyncCommands.class,
                client.getResources());
        deferred.tryConnect(FIRST_RETRY);
        return deferred;
    }

    /** A connection of the Cluster {@code client}, tried at once. */
    @SuppressWarnings("unchecked")
    public static DeferredConnection cluster(String name, RedisClusterClient client) {
        DeferredConnection deferred = new DeferredConnection(name,
                () -> (StatefulConnection<String, String>) (Object) client.connect(Utf8StringCodec.UTF8),
                connection -> ((StatefulRedisClusterConnection<String, String>) connection).async(),
                RedisAdvancedClusterAsyncCommands.class, client.getResources());
        deferred.tryConnect(FIRST_RETRY);
        return deferred;
    }

    /** The connection's asynchronous commands; until it is connected, each fails as Redis being unreachable. */
    @SuppressWarnings("unchecked")
    public RedisClusterAsyncCommands<String, String> commands() {
        return (RedisClusterAsyncCommands<String, String>) commands;
    }

    /** The client's resources (its event bus reports connections lost and made). */
    public ClientResources resources() {
        return resources;
    }

    /**
     * Opens a connection of its own, made as this one was, hands its commands to {@code use} and
     * closes it once the answer completes: a newcomer's view of Redis, which tells this connection's
     * own trouble (a dead TCP path, a stuck NAT entry) from Redis's (see health.ServingStatus).
     * Blocks the calling thread for the connect, at most {@code redis.connect-timeout}.
     */
    @SuppressWarnings("unchecked")
    public <T> CompletionStage<T> withNewConnection(Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> use) {
        StatefulConnection<String, String> fresh;
        try {
            fresh = connect.get();
        } catch (RuntimeException unreachable) {
            return CompletableFuture.failedFuture(unreachable);
        }
        try {
            return use.apply((RedisClusterAsyncCommands<String, String>) async.apply(fresh))
                    .whenComplete((answer, error) -> fresh.closeAsync());
        } catch (RuntimeException e) {
            fresh.closeAsync();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Whether the connection is made and open now (not reconnecting). */
    public boolean open() {
        StatefulConnection<String, String> made = connection;
        return made != null && made.isOpen();
    }

    /** Whether the connection has been made (it may be reconnecting now). */
    public boolean connected() {
        return connection != null;
    }

    private void tryConnect(Duration nextRetry) {
        if (closed) {
            return;
        }
        try {
            StatefulConnection<String, String> made = connect.get();
            connectionCommands = async.apply(made);
            connection = made;
            if (failedSinceNanos != 0) {
                LOG.info("Redis answers: {} connection made after {} s", name,
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - failedSinceNanos));
            }
            if (closed) {
                made.close();
            }
        } catch (RuntimeException unreachable) {
            if (failedSinceNanos == 0) {
                failedSinceNanos = System.nanoTime();
                LOG.warn("Redis does not answer ({}): the service runs without its {} connection, health reports NOT_SERVING"
                        + " and calls get UNAVAILABLE until it does; connecting again every {} ms at most",
                        rootMessage(unreachable), name, MAX_RETRY.toMillis());
            }
            try {
                retries.schedule(() -> tryConnect(min(nextRetry.multipliedBy(2), MAX_RETRY)), nextRetry.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // closed meanwhile
            }
        }
    }

    private Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "commands of the " + name + " Redis connection";
            };
        }
        Object target = connectionCommands;
        if (target == null) {
            return notConnected(method);
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Object notConnected(Method method) {
        RedisConnectionException failure = new RedisConnectionException("Redis has not answered yet (" + name + " connection)");
        Class<?> type = method.getReturnType();
        if (RedisFuture.class.isAssignableFrom(type)) {
            AsyncCommand<String, String, Object> failed = new AsyncCommand<>(new Command<>(CommandType.PING, null));
            failed.completeExceptionally(failure);
            return failed;
        }
        if (type == boolean.class) {
            return false; // isOpen()
        }
        if (type == void.class) {
            return null; // settings such as setAutoFlushCommands: nothing to set yet
        }
        throw failure;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    @Override
    public void close() {
        closed = true;
        retries.shutdownNow();
        StatefulConnection<String, String> made = connection;
        if (made != null) {
            made.close();
        }
    }
}
