package io.sessionauthority.service.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port: HTTP/1.1 for probes and scrapes, on one thread of its own. A few Netty
 * handlers instead of a web framework: the port has four read-only paths, and Micronaut's HTTP
 * server and Jackson cost a quarter of the process's start-up and some 15 MiB of its idle memory.
 *
 * <p>It shares file descriptors with the gRPC port, and slow clients holding a thousand connections
 * here once made gRPC calls fail, so connections beyond {@link Limits#maxConnections()} are closed
 * at once, and a connection must send a request's headers within {@link Limits#headerTimeout()}.
 */
public final class ManagementServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    /** Probes and scrapes send no bodies: anything larger is refused (413) before it is buffered. */
    private static final int MAX_REQUEST_BYTES = 8 * 1024;

    private final EventLoopGroup group;
    private final Channel listener;
    private final AtomicInteger open;

    private ManagementServer(EventLoopGroup group, Channel listener, AtomicInteger open) {
        this.group = group;
        this.listener = listener;
        this.open = open;
    }

    /**
     * Listens on {@code host}:{@code port} (port 0: a free one) and answers from {@code routes}.
     *
     * @throws IllegalStateException when the address cannot be bound, naming it
     */
    public static ManagementServer start(String host, int port, ManagementRoutes routes, Limits limits) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("management", true), NioIoHandler.newFactory());
        AtomicInteger open = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (open.incrementAndGet() > limits.maxConnections()) {
                            open.decrementAndGet();
                            if (refused.getAndIncrement() % 1000 == 0) {
                                LOG.warn("Management port: {} connections open, refusing more ({} refused so far)",
                                        limits.maxConnections(), refused.get());
                            }
                            channel.close();
                            return;
                        }
                        channel.closeFuture().addListener(closed -> open.decrementAndGet());
                        channel.pipeline()
                                .addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS) {
                                    @Override
                                    protected void channelIdle(io.netty.channel.ChannelHandlerContext context, IdleStateEvent event) {
                                        context.close();
                                    }
                                })
                                .addLast(new HttpServerCodec())
                                .addLast(new RequestHeaderDeadline(limits.headerTimeout()))
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new ManagementRequests(routes));
                    }
                });
        try {
            Channel listener = bootstrap.bind(host, port).sync().channel();
            return new ManagementServer(group, listener, open);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("The management port cannot listen on " + host + ":" + port
                    + " (" + e.getMessage() + "): set MANAGEMENT_PORT / MANAGEMENT_HOST", e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The address it listens on, as configured. */
    public String host() {
        return ((InetSocketAddress) listener.localAddress()).getHostString();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * @param maxConnections connections at once; beyond, new ones are closed at once
     * @param headerTimeout  time a connection has to send a request's headers, after connecting or after its previous response
     * @param idleTimeout    a connection with no traffic at all for this long is closed
     */
    public record Limits(int maxConnections, Duration headerTimeout, Duration idleTimeout) {
    }
}
