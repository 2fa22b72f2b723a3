package io.sessionauthority.bench;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.ValidateRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The calls the benchmark makes, over a few channels, with the generated asynchronous stubs. */
final class Scenarios implements AutoCloseable {

    static final String PASSWORD = "correct horse battery staple";
    private static final String UNKNOWN_TOKEN = "sat1_" + "A".repeat(64);
    private static final int PREPARE_WINDOW = 8;

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub> stubs = new ArrayList<>();
    private final List<HealthGrpc.HealthFutureStub> health = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final List<String> tokens = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> revocable = new ConcurrentLinkedQueue<>();

    // One event-loop thread for every client channel, and callbacks run on it directly: on a 2-core
    // machine shared with the service and Redis, the load generator must cost as little CPU as it can.
    private final EventLoopGroup eventLoop = new NioEventLoopGroup(1);

    Scenarios(int port, int channelCount) {
        for (int i = 0; i < channelCount; i++) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                    .eventLoopGroup(eventLoop).channelType(NioSocketChannel.class)
                    .directExecutor().build();
            channels.add(channel);
            stubs.add(SessionAuthorityServiceGrpc.newFutureStub(channel));
            health.add(HealthGrpc.newFutureStub(channel));
        }
    }

    /** Creates the users and the pool of live sessions the read scenarios use. */
    void prepare(int sessions) throws Exception {
        var stub = stubs.get(0).withDeadlineAfter(60, TimeUnit.SECONDS);
        stub.createUser(CreateUserRequest.newBuilder().setUsername("bench-reader").setPassword(PASSWORD).build()).get();
        stub.createUser(CreateUserRequest.newBuilder().setUsername("bench-login").setPassword(PASSWORD).build()).get();
        // A window, not all at once: the service sheds logins beyond its hashing queue (48 waiting from
        // unknown devices by default), and the setup must not depend on how fast the threads drain it.
        List<ListenableFuture<LoginResponse>> window = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            window.add(stubs.get(i % stubs.size()).withDeadlineAfter(60, TimeUnit.SECONDS).login(LoginRequest.newBuilder()
                    .setUsername("bench-reader").setPassword(PASSWORD).putAttributes("cart", "cart-" + i).build()));
            if (window.size() == PREPARE_WINDOW || i == sessions - 1) {
                for (ListenableFuture<LoginResponse> login : window) {
                    tokens.add(login.get().getToken());
                }
                window.clear();
            }
        }
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub stub() {
        return stubs.get(Math.floorMod(next.getAndIncrement(), stubs.size())).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** A live token, for baselines that send one fixed request. */
    String anyTokenForBaseline() {
        return tokens.get(0);
    }

    private String anyToken() {
        return tokens.get(ThreadLocalRandom.current().nextInt(tokens.size()));
    }

    ListenableFuture<?> healthCheck() {
        // No deadline, as for Validate: a deadline costs a timer on both sides and made this baseline unfairly slow.
        return health.get(Math.floorMod(next.getAndIncrement(), health.size())).check(HealthCheckRequest.getDefaultInstance());
    }

    ListenableFuture<?> validate() {
        return stub().validate(ValidateRequest.newBuilder().setToken(anyToken()).build());
    }

    /** Validate asking Redis every time (skip_cache), as for a token the replica does not hold in memory. */
    ListenableFuture<?> validateFromRedis() {
        return stub().validate(ValidateRequest.newBuilder().setToken(anyToken()).setSkipCache(true).build());
    }

    ListenableFuture<?> touch() {
        return stub().touch(TouchRequest.newBuilder().setToken(anyToken()).build());
    }

    ListenableFuture<?> login() {
        ListenableFuture<LoginResponse> login = stub().withDeadlineAfter(30, TimeUnit.SECONDS)
                .login(LoginRequest.newBuilder().setUsername("bench-login").setPassword(PASSWORD).build());
        login.addListener(() -> {
            try {
                revocable.add(login.get().getToken());
            } catch (Exception ignored) {
                // counted as an error by the run
            }
        }, MoreExecutors.directExecutor());
        return login;
    }

    ListenableFuture<?> revoke() {
        String token = revocable.poll();
        return stub().revoke(RevokeRequest.newBuilder().setToken(token != null ? token : UNKNOWN_TOKEN).build());
    }

    /**
     * The production mix of issue 28: 95% Validate (90% of them of sessions the replica holds, 10%
     * read from Redis), 4% Touch, 0.5% Login, 0.5% Revoke (of the sessions those logins started).
     */
    List<LoadRun.Weighted> productionMix() {
        return List.of(
                new LoadRun.Weighted("Validate (hot)", 95 * 0.9, this::validate),
                new LoadRun.Weighted("Validate (from Redis)", 95 * 0.1, this::validateFromRedis),
                new LoadRun.Weighted("Touch", 4, this::touch),
                new LoadRun.Weighted("Login", 0.5, this::login),
                new LoadRun.Weighted("Revoke", 0.5, this::revoke));
    }

    /** The mix's Validates alone, in the same proportions: the baseline of its Validate latency. */
    List<LoadRun.Weighted> validateOnlyMix() {
        return productionMix().subList(0, 2);
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        eventLoop.shutdownGracefully();
    }
}
