package io.sessionauthority.service.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole service (Micronaut context, gRPC server on a free port) started by a test, and a real
 * gRPC channel to it over loopback. For tests that stop and start the service or its Redis.
 */
public final class ServiceUnderTest implements AutoCloseable {

    /** The password of every user tests sign up (long enough for the service's policy). */
    public static final String PASSWORD = "correct horse battery staple";

    private final GrpcEmbeddedServer server;
    private final ManagedChannel channel;

    private ServiceUnderTest(GrpcEmbeddedServer server) {
        this.server = server;
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    public static ServiceUnderTest start(String redisUri, Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("redis.uri", redisUri);
        return new ServiceUnderTest(ApplicationContext.run(GrpcEmbeddedServer.class, all, "test"));
    }

    /** The service on a clock the test moves: expiries and lockouts without sleeping. */
    public static ServiceUnderTest start(String redisUri, Map<String, Object> properties, java.time.Clock clock) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("redis.uri", redisUri);
        ApplicationContext context = ApplicationContext.builder("test").properties(all).singletons(clock).start();
        GrpcEmbeddedServer server = context.getBean(GrpcEmbeddedServer.class);
        if (!server.isRunning()) {
            server.start();
        }
        return new ServiceUnderTest(server);
    }

    public static ServiceUnderTest start(String redisUri) {
        return start(redisUri, Map.of());
    }

    /** The gRPC port the service listens on (127.0.0.1). */
    public int port() {
        return server.getPort();
    }

    public ManagedChannel channel() {
        return channel;
    }

    public SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub blocking() {
        return SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Creates {@code username} with {@link #PASSWORD} and logs it in. */
    public LoginResponse signUpAndLogin(String username) {
        blocking().createUser(CreateUserRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
        return login(username);
    }

    /** Logs {@code username} in with {@link #PASSWORD}. */
    public LoginResponse login(String username) {
        return blocking().login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
    }

    public SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub future() {
        return SessionAuthorityServiceGrpc.newFutureStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /**
     * Waits until {@code token} validates as live — while Redis fails over, calls answer UNAVAILABLE
     * until the client follows the new master — and answers whether it did within {@code seconds}.
     * Asks Redis itself ({@code skip_cache}): the hot-session cache would answer from memory for a
     * few seconds and hide whether the store has come back.
     */
    public boolean awaitValid(String token, int seconds) {
        try {
            Await.until("the token valid", java.time.Duration.ofSeconds(seconds), () -> {
                try {
                    return blocking().withDeadlineAfter(2, TimeUnit.SECONDS)
                            .validate(io.sessionauthority.v1.ValidateRequest.newBuilder().setToken(token).setSkipCache(true).build()).getValid();
                } catch (io.grpc.StatusRuntimeException failingOver) {
                    return false;
                }
            });
            return true;
        } catch (AssertionError notWithin) {
            return false;
        }
    }

    /** A steady Validate load on one thread, counting answers and failures, for failover measurements. */
    public final class SteadyLoad extends Thread implements AutoCloseable {
        private final String token;
        private final boolean skipCache;
        private final java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong wrong = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong windowOk = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong windowCalls = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean running = true;
        private volatile long firstFailure;
        private volatile long lastFailure;
        private volatile long windowStart = Long.MAX_VALUE;
        private volatile long windowEnd = Long.MAX_VALUE;

        private SteadyLoad(String token, boolean skipCache) {
            this.token = token;
            this.skipCache = skipCache;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                long started = System.nanoTime();
                boolean answered = false;
                try {
                    boolean valid = blocking().withDeadlineAfter(250, TimeUnit.MILLISECONDS)
                            .validate(io.sessionauthority.v1.ValidateRequest.newBuilder().setToken(token).setSkipCache(skipCache).build()).getValid();
                    (valid ? ok : wrong).incrementAndGet();
                    answered = valid;
                } catch (io.grpc.StatusRuntimeException e) {
                    long now = System.nanoTime();
                    if (failed.getAndIncrement() == 0) {
                        firstFailure = now;
                    }
                    lastFailure = now;
                }
                if (started >= windowStart && started < windowEnd) {
                    windowCalls.incrementAndGet();
                    if (answered) {
                        windowOk.incrementAndGet();
                    }
                }
            }
        }

        /** Counts apart, from now on and for {@code window}, the calls started in it (a failover's first seconds). */
        public void countFromNowFor(Duration window) {
            long now = System.nanoTime();
            windowEnd = now + window.toNanos();
            windowStart = now;
        }

        /** The calls started in the counted window, and how many of them were answered "valid". */
        public String windowSummary() {
            long calls = windowCalls.get();
            return String.format(java.util.Locale.ROOT, "%d of %d answered (%.2f %%)", windowOk.get(), calls,
                    calls == 0 ? 0.0 : 100.0 * windowOk.get() / calls);
        }

        /** Calls answered, calls failed (UNAVAILABLE / deadline), wrong answers, and the span of the failures in ms. */
        public String summary() {
            long window = failed.get() == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(lastFailure - firstFailure);
            return String.format("%d answered, %d failed over a %d ms window, %d wrong answers", ok.get(), failed.get(), window, wrong.get());
        }

        public long wrongAnswers() {
            return wrong.get();
        }

        /** Calls answered right so far. */
        public long answered() {
            return ok.get();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            join(5000);
        }
    }

    /** Starts a steady Validate load of {@code token}, read from Redis on every call ({@code skip_cache}). */
    public SteadyLoad steadyLoad(String token) {
        SteadyLoad load = new SteadyLoad(token, true);
        load.start();
        return load;
    }

    /** Starts a steady Validate load of {@code token} as callers send it: answered from memory when it is hot. */
    public SteadyLoad steadyHotLoad(String token) {
        SteadyLoad load = new SteadyLoad(token, false);
        load.start();
        return load;
    }

    public <T> T bean(Class<T> type) {
        return server.getApplicationContext().getBean(type);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // As a SIGTERM does first (wiring.HealthFactory): revocation streams end at once, so a
        // client's stream left open by a test (an SDK cache) does not hold the gRPC server's stop for
        // its whole grace period, 20 s.
        server.getApplicationContext().findBean(io.sessionauthority.service.grpc.RevocationStreams.class)
                .ifPresent(io.sessionauthority.service.grpc.RevocationStreams::drain);
        server.getApplicationContext().close();
    }
}
