package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static io.sessionauthority.service.testing.GrpcErrors.errorInfo;
import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static io.sessionauthority.service.testing.GrpcErrors.retryInfo;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.testing.RevocationSubscriber;
import io.sessionauthority.service.testing.TlsService;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The availability attacks of the third security review (issue 22), each through the production
 * configuration (TLS, callers known by API key): one caller, authenticated or not, uses at most its
 * share of what every caller shares, and the others keep theirs. Each test failed on the code before
 * the bulkheads.
 */
@Tag("end-to-end")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkheadsEndToEndTest {

    private static final String READER_KEY = "reader-api-key-0123456789";
    private static final String OTHER_KEY = "other-api-key-0123456789";
    private static final String EDGE_KEY = "edge-api-key-0123456789";
    private static final String FLOODER_KEY = "flooder-api-key-0123456789";
    private static final String ADMIN_KEY = "admin-api-key-9876543210";

    private TlsService service;

    @BeforeAll
    void start() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("session-authority.security.callers.reader.api-key-sha256", List.of(CallerRegistry.digestOf(READER_KEY)));
        properties.put("session-authority.security.callers.reader.permissions", List.of("validate"));
        properties.put("session-authority.security.callers.other.api-key-sha256", List.of(CallerRegistry.digestOf(OTHER_KEY)));
        properties.put("session-authority.security.callers.other.permissions", List.of("validate"));
        properties.put("session-authority.security.callers.edge.api-key-sha256", List.of(CallerRegistry.digestOf(EDGE_KEY)));
        properties.put("session-authority.security.callers.edge.permissions", List.of("login", "validate"));
        properties.put("session-authority.security.callers.flooder.api-key-sha256", List.of(CallerRegistry.digestOf(FLOODER_KEY)));
        properties.put("session-authority.security.callers.flooder.permissions", List.of("login", "validate"));
        properties.put("session-authority.security.callers.admin.api-key-sha256", List.of(CallerRegistry.digestOf(ADMIN_KEY)));
        properties.put("session-authority.security.callers.admin.permissions", List.of("admin"));
        properties.put("session-authority.grpc.max-open-streams", 12);
        properties.put("session-authority.quotas.streams-per-caller", 4);
        properties.put("session-authority.quotas.streams-per-address", 3);
        properties.put("session-authority.quotas.log-writes-per-second", 5);
        properties.put("session-authority.quotas.log-write-burst", 20);
        service = TlsService.start(properties, java.time.Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        closeLater.forEach(ManagedChannel::shutdownNow);
        service.close();
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub stub(String apiKey) {
        return service.withApiKey(apiKey);
    }

    /** A channel with {@code apiKey} whose connections come from {@code sourceAddress} (any 127.x address). */
    private io.grpc.Channel channelFrom(String sourceAddress, String apiKey) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", service.server().getPort(), service.tls())
                .overrideAuthority("localhost")
                .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
                    @Override
                    public java.net.SocketAddress createSocketAddress(java.net.SocketAddress remote, io.grpc.Attributes attributes) {
                        return new InetSocketAddress(sourceAddress, 0);
                    }
                })
                .build();
        closeLater.add(channel);
        if (apiKey == null) {
            return channel;
        }
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(io.grpc.Metadata.Key.of("x-api-key", io.grpc.Metadata.ASCII_STRING_MARSHALLER), apiKey);
        return io.grpc.ClientInterceptors.intercept(channel, io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private final List<ManagedChannel> closeLater = new ArrayList<>();

    /** Whether the subscription was accepted: its first heartbeat came, rather than an error. */
    private static boolean subscribed(RevocationSubscriber subscriber) throws InterruptedException {
        return subscriber.deliversBeforeEnding(Duration.ofSeconds(10));
    }

    // 1. One reader holding 1,000 WatchRevocations streams made the next caller's subscription fail.
    @Test
    void oneCallerHoldingItsShareOfRevocationStreamsLeavesOthersTheirs() throws Exception {
        List<RevocationSubscriber> held = new ArrayList<>();
        try {
            int accepted = 0;
            // From several addresses, so the caller's share (4) binds rather than one address' (3).
            for (int i = 0; i < 12; i++) {
                RevocationSubscriber subscriber = RevocationSubscriber.watch(channelFrom("127.0.3." + (1 + i % 4), READER_KEY), "");
                held.add(subscriber);
                accepted += subscribed(subscriber) ? 1 : 0;
            }
            assertThat(accepted).as("the reader's share").isEqualTo(4);
            RevocationSubscriber other = RevocationSubscriber.watch(channelFrom("127.0.3.1", OTHER_KEY), "");
            held.add(other);
            assertThat(subscribed(other)).as("another caller's subscription").isTrue();
        } finally {
            held.forEach(RevocationSubscriber::close);
        }
    }

    // 2. Any unauthenticated client could hold every health Watch stream.
    @Test
    void oneAddressHoldingItsShareOfHealthWatchesLeavesOtherAddressesTheirs() throws Exception {
        List<io.grpc.Context.CancellableContext> watches = new ArrayList<>();
        try {
            io.grpc.Channel attacker = channelFrom("127.0.4.1", null);
            int accepted = 0;
            for (int i = 0; i < 12; i++) {
                accepted += watch(attacker, watches) ? 1 : 0;
            }
            assertThat(accepted).as("one address' share").isEqualTo(3);
            assertThat(watch(channelFrom("127.0.4.2", null), watches)).as("a probe from another address").isTrue();
        } finally {
            watches.forEach(context -> context.cancel(null));
        }
    }

    private static boolean watch(io.grpc.Channel channel, List<io.grpc.Context.CancellableContext> watches) throws Exception {
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        watches.add(context);
        CompletableFuture<Boolean> first = new CompletableFuture<>();
        context.run(() -> HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(HealthCheckResponse value) {
                first.complete(true);
            }

            @Override
            public void onError(Throwable error) {
                first.complete(false);
            }

            @Override
            public void onCompleted() {
            }
        }));
        return first.get(10, TimeUnit.SECONDS);
    }

    // 3. A Revoke of a forged but well-formed token of an existing user appended an event every time.
    @Test
    void revokesThatEndNothingAppendNothingToTheRevocationStream() throws Exception {
        String userId = stub(ADMIN_KEY).createUser(CreateUserRequest.newBuilder().setUsername("forgery-target").setPassword(PASSWORD)
                .build()).getUserId();
        LoginResponse real = stub(EDGE_KEY).login(LoginRequest.newBuilder().setUsername("forgery-target").setPassword(PASSWORD).build());
        try (RevocationSubscriber subscriber = RevocationSubscriber.watch(channelFrom("127.0.5.1", OTHER_KEY), "")) {
            assertThat(subscribed(subscriber)).isTrue();
            for (int i = 0; i < 10; i++) {
                String forged = forgedToken(userId);
                assertThat(stub(EDGE_KEY).revoke(RevokeRequest.newBuilder().setToken(forged).build()).getRevokedCount()).isZero();
            }
            stub(EDGE_KEY).revoke(RevokeRequest.newBuilder().setToken(real.getToken()).build());
            Revocation first = subscriber.nextRevocation(Duration.ofSeconds(10));
            assertThat(first.getSessionId()).as("the first event is the real revoke's").isEqualTo(real.getSession().getSessionId());
        }
    }

    // 3b. ... but a revoke retried after its first try ended the session (and perhaps never appended
    // its event: a replica's confirmation fell short, or the answer was lost) announces it again.
    @Test
    void aRevokeOfASessionEndedMomentsAgoAnnouncesItAgain() throws Exception {
        stub(ADMIN_KEY).createUser(CreateUserRequest.newBuilder().setUsername("retrier").setPassword(PASSWORD).build());
        LoginResponse session = stub(EDGE_KEY).login(LoginRequest.newBuilder().setUsername("retrier").setPassword(PASSWORD).build());
        try (RevocationSubscriber subscriber = RevocationSubscriber.watch(channelFrom("127.0.5.2", OTHER_KEY), "")) {
            assertThat(subscribed(subscriber)).isTrue();
            assertThat(stub(EDGE_KEY).revoke(RevokeRequest.newBuilder().setToken(session.getToken()).build()).getRevokedCount()).isEqualTo(1);
            assertThat(stub(EDGE_KEY).revoke(RevokeRequest.newBuilder().setToken(session.getToken()).build()).getRevokedCount()).isZero();
            assertThat(subscriber.nextRevocation(Duration.ofSeconds(10)).getSessionId()).isEqualTo(session.getSession().getSessionId());
            assertThat(subscriber.nextRevocation(Duration.ofSeconds(10)).getSessionId()).as("announced again")
                    .isEqualTo(session.getSession().getSessionId());
        }
    }

    /** A well-formed token of {@code userId} with a random secret: it names a session that never existed. */
    static String forgedToken(String userId) {
        byte[] bytes = new byte[48];
        System.arraycopy(java.util.Base64.getUrlDecoder().decode(userId), 0, bytes, 0, 16);
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        System.arraycopy(secret, 0, bytes, 16, 32);
        return "sat1_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // 4. A caller could append to the shared logs as fast as it could call.
    @Test
    void aCallerFloodingLogWritesIsSlowedToItsShareWhileOthersKeepTheirs() {
        String forged = "sat1_" + "A".repeat(64);
        int refused = 0;
        StatusRuntimeException last = null;
        for (int i = 0; i < 60; i++) {
            try {
                stub(FLOODER_KEY).revoke(RevokeRequest.newBuilder().setToken(forged).build());
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                refused++;
                last = e;
            }
        }
        assertThat(refused).as("calls past the flooder's burst").isGreaterThan(0);
        assertThat(errorInfo(last).getReason()).isEqualTo("CALLER_QUOTA_EXCEEDED");
        assertThat(retryInfo(last)).isPresent();
        // Another caller's writes are not slowed.
        assertThat(stub(EDGE_KEY).revoke(RevokeRequest.newBuilder().setToken(forged).build()).getRevokedCount()).isZero();
    }
}
