package io.sessionauthority.service.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sessionauthority.service.admission.ConnectionAdmission;
import io.sessionauthority.service.admission.RateQuotas;
import io.sessionauthority.service.logging.RateLimitedLog;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port: HTTP/1.1 for probes and scrapes, on one thread of its own. A few Netty
 * handlers instead of a web framework: the port has four read-only paths, and Micronaut's HTTP
 * server, its management module and Jackson loaded some 1,500 classes at start (docs/PERFORMANCE.md).
 *
 * <p>Probes must answer whatever else reaches the port: a kubelet that misses a few restarts the
 * replica or takes it out of rotation. So the port's thread only moves bytes and answers health
 * from state already held; scrapes are made on another thread and shared ({@link ScrapeCache}).
 * Connections are admitted by {@link ConnectionAdmission}: at most {@link Limits#maxPerAddress()}
 * from one address, and when the port is full the connection that has waited longest without
 * sending a request is closed to let a new one in, so slow or idle sockets cannot lock a probe out.
 * One address may send at most {@link Limits#requestsPerSecondPerAddress()} requests a second.
 * A connection must send a request's headers within {@link Limits#headerTimeout()} of connecting
 * or of its previous answer; no request body is read ({@link ManagementRequests}); a client that
 * does not read its answers is cut off.
 */
public final class ManagementServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    private static final RateLimitedLog CROWDED = new RateLimitedLog(LOG, Duration.ofMinutes(1));
    /** Unread answers a connection may hold before it is cut off: a few scrapes' worth. */
    private static final WriteBufferWaterMark UNREAD_ANSWERS = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    private final EventLoopGroup group;
    private final Channel listener;
    private final ConnectionAdmission admission;

    private ManagementServer(EventLoopGroup group, Channel listener, ConnectionAdmission admission) {
        this.group = group;
        this.listener = listener;
        this.admission = admission;
    }

    /**
     * Listens on {@code host}:{@code port} (port 0: a free one) and answers from {@code routes}.
     *
     * @throws IllegalStateException when the address cannot be bound, naming it
     */
    public static ManagementServer start(String host, int port, ManagementRoutes routes, Limits limits) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("management", true), NioIoHandler.newFactory());
        RateQuotas requestsPerClient = new RateQuotas(limits.requestsPerSecondPerAddress(), limits.requestBurstPerAddress(), 10_000);
        ConnectionAdmission admission = new ConnectionAdmission(
                new ConnectionAdmission.Limits(limits.maxConnections(), limits.maxPerAddress(), limits.newPerSecondPerAddress(),
                        limits.newBurstPerAddress()));
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, UNREAD_ANSWERS)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        ConnectionAdmission.Decision decision = admission.admit(channel, channel.remoteAddress().getAddress());
                        if (decision == ConnectionAdmission.Decision.REFUSED) {
                            channel.close();
                        }
                        if (decision != ConnectionAdmission.Decision.ADMITTED) {
                            CROWDED.warn("crowded", "Management port: full ({} connections, at most {} from one address);"
                                            + " {} refused and {} waiting connections closed to make room since start",
                                    limits.maxConnections(), limits.maxPerAddress(), admission.refused(), admission.evicted());
                        }
                        if (decision == ConnectionAdmission.Decision.REFUSED) {
                            return;
                        }
                        channel.closeFuture().addListener(closed -> admission.release(channel));
                        channel.pipeline()
                                .addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS) {
                                    @Override
                                    protected void channelIdle(ChannelHandlerContext context, IdleStateEvent event) {
                                        context.close();
                                    }
                                })
                                .addLast(new HttpServerCodec())
                                .addLast(new RequestHeaderDeadline(limits.headerTimeout(), admission))
                                .addLast(new ManagementRequests(routes, requestsPerClient, limits.headerTimeout()));
                    }
                });
        try {
            Channel listener = bootstrap.bind(host, port).sync().channel();
            return new ManagementServer(group, listener, admission);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("Interrupted while opening the management port", e);
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("The management port cannot listen on " + host + ":" + port
                    + " (" + e + "): set MANAGEMENT_PORT / MANAGEMENT_HOST", e);
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
        return admission.open();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * @param maxConnections connections at once; beyond, the longest-waiting one is closed, or the new one refused
     * @param maxPerAddress  connections at once from one remote address, likewise
     * @param newPerSecondPerAddress new connections one address may open a second; beyond, refused at accept
     * @param newBurstPerAddress     new connections one address may open at once
     * @param requestsPerSecondPerAddress requests one address may send a second; beyond, its connection is closed
     * @param requestBurstPerAddress requests one address may send at once
     * @param headerTimeout  time a connection has to send a request's headers, after connecting or after its previous
     *                       response, and an answer has to be written out
     * @param idleTimeout    a connection with no traffic either way for this long is closed (a backstop:
     *                       the header deadline closes idle keep-alive connections sooner)
     */
    public record Limits(int maxConnections, int maxPerAddress, int newPerSecondPerAddress, int newBurstPerAddress,
                         int requestsPerSecondPerAddress, int requestBurstPerAddress, Duration headerTimeout, Duration idleTimeout) {
    }
}
