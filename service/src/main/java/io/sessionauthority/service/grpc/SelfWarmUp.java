package io.sessionauthority.service.grpc;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.sessionauthority.service.session.SessionTokens;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls this replica's own gRPC port before it reports SERVING, so its first callers do not pay for
 * a cold JVM: a fresh replica took calls the moment it was ready and answered its first second's at
 * p99 85–264 ms (issue 25's join benchmark), past the SDK's 250 ms deadline now and then, while
 * the JIT compiled and classes loaded on the call path. Validate with random well-formed tokens
 * (unknown sessions, answered "not valid" from Redis) walks the whole path: Netty, HTTP/2, the
 * interceptors, the endpoint, the session rules, the store and its script; health Check goes along.
 *
 * <p>Over TLS the channel trusts whatever this port presents: it talks to itself, and sends nothing
 * secret. Where callers must authenticate, the calls are refused at the interceptor and warm the
 * path up to it; where a client certificate is required, the handshake fails and only the failure
 * is warm. Either way the replica then reports SERVING: the warm-up only ever delays readiness by
 * its own bound.
 */
public final class SelfWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(SelfWarmUp.class);
    private static final int IN_FLIGHT = 8;
    private static final Duration LIMIT = Duration.ofSeconds(10);

    private SelfWarmUp() {
    }

    /**
     * Makes {@code calls} calls to the gRPC server at {@code host} (a wildcard address: loopback) and
     * {@code port}, for at most {@link #LIMIT}.
     */
    public static void run(String host, int port, boolean tls, int calls) {
        long started = System.nanoTime();
        ManagedChannel channel = channel(host, port, tls);
        AtomicInteger failed = new AtomicInteger();
        int made = 0;
        try {
            var validate = SessionAuthorityServiceGrpc.newFutureStub(channel);
            var health = HealthGrpc.newFutureStub(channel);
            Semaphore slots = new Semaphore(IN_FLIGHT);
            SecureRandom random = new SecureRandom();
            long deadline = started + LIMIT.toNanos();
            for (int i = 0; i < calls && System.nanoTime() < deadline; i++) {
                if (!slots.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                made++;
                var call = i % 10 == 0
                        ? health.withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())
                        : validate.withDeadlineAfter(2, TimeUnit.SECONDS).validate(ValidateRequest.newBuilder().setToken(randomToken(random)).build());
                call.addListener(() -> {
                    try {
                        call.get();
                    } catch (Exception refusedOrFailed) {
                        failed.incrementAndGet(); // refused (authentication) or failed: the path ran all the same
                    }
                    slots.release();
                }, Runnable::run);
            }
            slots.tryAcquire(IN_FLIGHT, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            channel.shutdownNow();
        }
        LOG.info("Warmed up with {} calls to itself in {} ms ({} refused or failed): reporting SERVING", made,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), failed.get());
    }

    private static String randomToken(SecureRandom random) {
        byte[] bytes = new byte[(SessionTokens.TOKEN_LENGTH - SessionTokens.PREFIX.length()) * 3 / 4];
        random.nextBytes(bytes);
        return SessionTokens.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static ManagedChannel channel(String host, int port, boolean tls) {
        boolean wildcard = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(wildcard ? InetAddress.getLoopbackAddress().getHostAddress() : host, port);
        if (!tls) {
            return builder.usePlaintext().build();
        }
        try {
            return builder.sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
                    .overrideAuthority("localhost").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make a TLS context for the warm-up", e);
        }
    }
}
