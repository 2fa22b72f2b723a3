package io.sessionauthority.service.wiring;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;

/**
 * The event loops that serve gRPC connections and, on the same threads, Validate's Redis
 * connections ({@link io.sessionauthority.service.store.LoopConnections}): a call that arrives on a
 * loop reads Redis and answers on that loop, without handing work to another thread.
 */
@Singleton
public class IoEventLoops {

    private final EventLoopGroup group =
            new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("grpc-worker", true), NioIoHandler.newFactory());

    public EventLoopGroup group() {
        return group;
    }

    /** Stops the loops, after the gRPC server and the Redis connections on them have closed. */
    @PreDestroy
    void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
