package io.sessionauthority.service.wiring;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerBuilder;
import io.grpc.ServerTransportFilter;
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
import io.sessionauthority.service.admission.ConnectionActivity;
import io.sessionauthority.service.admission.ConnectionAdmission;
import io.sessionauthority.service.admission.RateQuotas;
import io.sessionauthority.service.config.GrpcProperties;
import io.sessionauthority.service.grpc.ConnectionActivityTracker;
import io.sessionauthority.service.throttle.AddressRanges;
import io.sessionauthority.service.logging.RateLimitedLog;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
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
 *   <li>At most {@code max-connections} connections, and {@code max-connections-per-address} from
 *       one address, so a connection flood cannot exhaust file descriptors nor one host fill the
 *       port for everyone ({@link ConnectionAdmission}: when full, a connection that has not yet
 *       finished its handshake is closed to let a new one in; only when none waits is the new one
 *       refused). grpc-java has no such setting; a handler on the listening channel does it.</li>
 *   <li>At most {@code max-concurrent-calls-per-connection} calls (streams) on one connection, and
 *       a connection must finish its TLS and HTTP/2 handshake (the client's preface and first
 *       SETTINGS) within {@code handshake-timeout}.</li>
 *   <li>A connection that carries no call for {@code idle-connection-evictable-after} is, like one
 *       still in its handshake, closed first when the port is full: a host cannot fill the port with
 *       connections that merely finished their handshake. A client's next call opens a new one.</li>
 *   <li>HTTP/2 rapid reset (CVE-2023-44487): a connection that resets more than
 *       {@code max-rst-frames-per-window} streams within {@code rst-frames-window} is closed with
 *       GOAWAY ENHANCE_YOUR_CALM (grpc-java's own limit), and one whose calls are cancelled before
 *       their request arrives faster than {@code early-cancels-per-second-per-connection}
 *       ({@link ConnectionActivityTracker}) is closed at once. An address whose connections are
 *       closed so {@code abusive-connections-before-penalty} times in a minute gets no new
 *       connection for {@code abuse-penalty}, unless it is one of {@code penalty-exempt-addresses}
 *       (an Envoy, a mesh's sidecar address, a NAT in front of many callers: their other callers
 *       must not pay for one).</li>
 *   <li>At most {@code new-connections-per-second-per-address} new connections from one address,
 *       refused at accept beyond: a flood that opens and drops connections cannot make the port
 *       set up thousands of transports a second.</li>
 *   <li>Keepalive limits stop clients from pinging too often; a maximum connection age makes
 *       clients reconnect now and then, so load spreads over new replicas.</li>
 * </ul>
 */
@Singleton
public class GrpcServerLimits implements BeanCreatedEventListener<ServerBuilder<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcServerLimits.class);
    private static final RateLimitedLog CROWDED = new RateLimitedLog(LOG, Duration.ofMinutes(1));
    private static final RateLimitedLog ABUSE = new RateLimitedLog(LOG, Duration.ofMinutes(1));

    private final GrpcProperties limits;
    private final ConnectionAdmission admission;
    /** Admitted connections by their client's address and port, for the transport filter to find. */
    private final ConcurrentMap<SocketAddress, Channel> connections = new ConcurrentHashMap<>();
    /** Connections past their handshake, with their calls counted. */
    private final ConcurrentMap<Channel, ConnectionActivity> activities = new ConcurrentHashMap<>();
    private final RateQuotas abusiveConnections;
    private final AddressRanges exempt;
    private final IoEventLoops loops;
    private EventLoopGroup boss;

    public GrpcServerLimits(GrpcProperties limits, IoEventLoops loops) {
        this.limits = limits;
        this.loops = loops;
        this.admission = new ConnectionAdmission(new ConnectionAdmission.Limits(limits.maxConnections(), limits.maxConnectionsPerAddress(),
                limits.newConnectionsPerSecondPerAddress(), limits.newConnectionBurstPerAddress()));
        this.abusiveConnections = new RateQuotas(limits.abusiveConnectionsBeforePenalty() / 60.0, limits.abusiveConnectionsBeforePenalty(), 10_000);
        this.exempt = AddressRanges.parse("session-authority.grpc.penalty-exempt-addresses", limits.penaltyExemptAddresses());
    }

    @Override
    public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
        ServerBuilder<?> builder = event.getBean();
        builder.maxInboundMessageSize(limits.maxInboundMessageBytes());
        builder.maxInboundMetadataSize(16 * 1024);
        builder.handshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        builder.addTransportFilter(new HandshakeFinished());
        if (builder instanceof NettyServerBuilder netty) {
            // Event loops of our own, since grpc-java takes a custom listening channel only together with them.
            boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("grpc-boss", true), NioIoHandler.newFactory());
            long sweepMillis = Math.max(100, limits.idleConnectionEvictableAfter().toMillis() / 4);
            boss.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
            ConnectionCap cap = new ConnectionCap();
            netty.bossEventLoopGroup(boss)
                    .workerEventLoopGroup(loops.group())
                    .channelFactory(() -> {
                        NioServerSocketChannel listener = new NioServerSocketChannel();
                        listener.pipeline().addLast(cap);
                        return listener;
                    })
                    .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
                    .maxRstFramesPerWindow(limits.maxRstFramesPerWindow(), (int) limits.rstFramesWindow().toSeconds())
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .maxConnectionAge(limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
                    .maxConnectionAgeGrace(30, TimeUnit.SECONDS);
        }
        return builder;
    }

    /**
     * {@code connection} cancelled calls before sending them faster than allowed (HTTP/2 rapid reset):
     * closes it at once and, the address' {@code abusive-connections-before-penalty}-th time in a
     * minute, admits no new connection from it for the penalty (unless it is exempt).
     */
    public void abusive(ConnectionActivity connection) {
        admission.close(connection.channel());
        java.net.InetAddress address = connection.address();
        boolean isExempt = exempt.contains(address);
        if (isExempt || abusiveConnections.take(address.getHostAddress()).isZero()) {
            ABUSE.warn(address.getHostAddress(), "gRPC port: a connection from {} cancelled calls before sending them faster than"
                    + " allowed (HTTP/2 rapid reset): closed", address.getHostAddress());
            return;
        }
        if (admission.penalize(address, limits.abusePenalty())) {
            LOG.warn("gRPC port: connections from {} keep cancelling calls before sending them (HTTP/2 rapid reset);"
                    + " no new connection from it for {}", address.getHostAddress(), limits.abusePenalty());
        }
    }

    /** Connections open on the gRPC port now. */
    public int openConnections() {
        return admission.open();
    }

    /** Stops the listening loop; Micronaut stops the gRPC server (which created after us, stops before us) first. */
    @PreDestroy
    void close() {
        if (boss != null) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Sees every accepted connection before gRPC does; admits it, or closes it. */
    @ChannelHandler.Sharable
    private final class ConnectionCap extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            Channel connection = (Channel) message;
            SocketAddress remote = connection.remoteAddress();
            ConnectionAdmission.Decision decision = admission.admit(connection, ((InetSocketAddress) remote).getAddress());
            if (decision != ConnectionAdmission.Decision.ADMITTED) {
                CROWDED.warn("crowded", "gRPC port: full ({} connections, at most {} from one address); {} refused and {}"
                                + " connections that had not finished their handshake closed to make room since start",
                        limits.maxConnections(), limits.maxConnectionsPerAddress(), admission.refused(), admission.evicted());
            }
            if (decision == ConnectionAdmission.Decision.REFUSED) {
                connection.unsafe().closeForcibly();
                return;
            }
            connections.put(remote, connection);
            connection.closeFuture().addListener(closed -> {
                connections.remove(remote, connection);
                admission.release(connection);
            });
            context.fireChannelRead(message);
        }
    }

    /**
     * grpc-java calls {@code transportReady} once the client's HTTP/2 preface and first SETTINGS have
     * arrived (after TLS): from then on the connection is a client's, and its calls are counted (the
     * activity rides on the transport's attributes, which every call sees).
     */
    private final class HandshakeFinished extends ServerTransportFilter {
        @Override
        public Attributes transportReady(Attributes transport) {
            SocketAddress remote = transport.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            Channel connection = remote == null ? null : connections.get(remote);
            if (connection == null) {
                return transport;
            }
            ConnectionActivity activity = new ConnectionActivity(connection, ((InetSocketAddress) remote).getAddress(), remote.toString(),
                    System.nanoTime());
            activities.put(connection, activity);
            connection.closeFuture().addListener(closed -> activities.remove(connection));
            admission.active(connection);
            return transport.toBuilder().set(ConnectionActivityTracker.ACTIVITY, activity).build();
        }
    }

    /**
     * Every few seconds: a connection that has carried no call for {@code idle-connection-evictable-after}
     * waits in line to be closed for a newcomer, like one still in its handshake; one that carries
     * calls again leaves the line.
     */
    private void sweep() {
        long now = System.nanoTime();
        long evictableAfter = limits.idleConnectionEvictableAfter().toNanos();
        for (ConnectionActivity activity : activities.values()) {
            boolean idle = activity.idleFor(now) >= evictableAfter;
            if (activity.markIdle(idle)) {
                if (idle) {
                    admission.waiting(activity.channel());
                } else {
                    admission.active(activity.channel());
                }
            }
        }
    }
}
