package io.sessionauthority.service.config;

import io.grpc.ServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection limits of the gRPC server, for every caller, authenticated or not (caller
 * authentication runs per call, after a connection is already open).
 *
 * Settings: {@link GrpcProperties}.
 *
 * <ul>
 *   <li>An auth request is a few hundred bytes: a small inbound limit turns an oversized message
 *       into RESOURCE_EXHAUSTED before it is parsed.</li>
 *   <li>At most {@code max-connections} connections: beyond, new ones are closed as they are
 *       accepted, so a connection flood cannot exhaust file descriptors. grpc-java has no such
 *       setting; a handler on the listening channel does it.</li>
 *   <li>At most {@code max-concurrent-calls-per-connection} calls (streams) on one connection, and
 *       a connection must finish its HTTP/2 handshake within {@code handshake-timeout}.</li>
 *   <li>Keepalive limits stop clients from pinging too often; a maximum connection age makes
 *       clients reconnect now and then, so load spreads over new replicas.</li>
 * </ul>
 */
@Singleton
public class GrpcServerLimits implements BeanCreatedEventListener<ServerBuilder<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcServerLimits.class);

    private final GrpcProperties limits;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final IoEventLoops loops;
    private EventLoopGroup boss;

    public GrpcServerLimits(GrpcProperties limits, IoEventLoops loops) {
        this.limits = limits;
        this.loops = loops;
    }

    @Override
    public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
        ServerBuilder<?> builder = event.getBean();
        builder.maxInboundMessageSize(limits.maxInboundMessageBytes());
        builder.maxInboundMetadataSize(16 * 1024);
        builder.handshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (builder instanceof NettyServerBuilder netty) {
            // Event loops of our own, since grpc-java takes a custom listening channel only together with them.
            boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("grpc-boss", true), NioIoHandler.newFactory());
            ConnectionCap cap = new ConnectionCap();
            netty.bossEventLoopGroup(boss)
                    .workerEventLoopGroup(loops.group())
                    .channelFactory(() -> {
                        NioServerSocketChannel listener = new NioServerSocketChannel();
                        listener.pipeline().addLast(cap);
                        return listener;
                    })
                    .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .maxConnectionAge(limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
                    .maxConnectionAgeGrace(30, TimeUnit.SECONDS);
        }
        return builder;
    }

    /** Connections open on the gRPC port now. */
    public int openConnections() {
        return open.get();
    }

    /** Stops the listening loop; Micronaut stops the gRPC server (which created after us, stops before us) first. */
    @PreDestroy
    void close() {
        if (boss != null) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Sees every accepted connection before gRPC does; closes those beyond the cap. */
    @ChannelHandler.Sharable
    private final class ConnectionCap extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            Channel connection = (Channel) message;
            if (open.incrementAndGet() > limits.maxConnections()) {
                open.decrementAndGet();
                if (refused.getAndIncrement() % 1000 == 0) {
                    LOG.warn("gRPC port: {} connections open, refusing more ({} refused so far)", limits.maxConnections(), refused.get());
                }
                connection.unsafe().closeForcibly();
                return;
            }
            connection.closeFuture().addListener(closed -> open.decrementAndGet());
            context.fireChannelRead(message);
        }
    }
}
