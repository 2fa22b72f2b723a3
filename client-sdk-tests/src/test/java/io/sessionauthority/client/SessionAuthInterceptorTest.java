package io.sessionauthority.client;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static io.sessionauthority.client.Expect.thrown;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.sessionauthority.client.example.GreeterService;
import io.sessionauthority.client.example.ReadmeExample;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Another team's gRPC service, protected by {@link SessionAuthInterceptor} exactly as docs/USING.md
 * shows, called end to end with a live, a revoked, a missing and a malformed token.
 */
@Tag("end-to-end")
class SessionAuthInterceptorTest {

    private static RedisServerProcess redis;
    private static ServiceUnderTest authority;
    private static Server greeter;
    private static ManagedChannel channel;
    private static LoginResult alice;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServerProcess.start();
        authority = ServiceUnderTest.start(redis.uri());
        greeter = ReadmeExample.start("127.0.0.1:" + authority.port(), 0, new GreeterService());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", greeter.getPort()).usePlaintext().build();
        authority.blocking().createUser(io.sessionauthority.v1.CreateUserRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
        alice = LoginResult.of(authority.blocking().login(io.sessionauthority.v1.LoginRequest.newBuilder().setUsername("alice")
                .setPassword(PASSWORD).setClient(ClientInfo.none().proto()).build()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        greeter.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        authority.close();
        redis.close();
    }

    private static String helloWith(String authorization) {
        Metadata headers = new Metadata();
        if (authorization != null) {
            headers.put(SessionAuthInterceptor.AUTHORIZATION, authorization);
        }
        io.grpc.Channel intercepted = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        return ClientCalls.blockingUnaryCall(intercepted, GreeterService.HELLO,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi");
    }

    /** The status a call ends with: OK, or its error's code. */
    private static Status.Code statusOf(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException error) {
            return error.getStatus().getCode();
        }
    }

    @Test
    void aLiveTokenIsLetThroughWithItsSessionInTheContext() {
        assertThat(helloWith("Bearer " + alice.token()))
                .isEqualTo("hello alice (user " + alice.session().userId() + ")");
        assertThat(helloWith("bearer " + alice.token())).startsWith("hello alice");
    }

    @Test
    void aMissingOrMalformedTokenIsUnauthenticated() {
        assertThat(statusOf(() -> helloWith(null))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(statusOf(() -> helloWith(alice.token()))).isEqualTo(Status.Code.UNAUTHENTICATED); // no scheme
        assertThat(statusOf(() -> helloWith("Basic YWxpY2U6cGFzcw=="))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(statusOf(() -> helloWith("Bearer not-a-token"))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(statusOf(() -> helloWith("Bearer sat1_" + "A".repeat(64)))).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aRevokedTokenIsUnauthenticated() {
        LoginResult bob;
        authority.blocking().createUser(io.sessionauthority.v1.CreateUserRequest.newBuilder().setUsername("bob").setPassword(PASSWORD).build());
        bob = LoginResult.of(authority.blocking().login(io.sessionauthority.v1.LoginRequest.newBuilder().setUsername("bob").setPassword(PASSWORD).build()));
        assertThat(helloWith("Bearer " + bob.token())).startsWith("hello bob");
        authority.blocking().revoke(io.sessionauthority.v1.RevokeRequest.newBuilder().setToken(bob.token()).build());

        // The docs' client caches answers but follows the revocation stream: the revoke is seen in milliseconds.
        io.sessionauthority.service.testing.Await.until("the revoke seen by the protected service", java.time.Duration.ofSeconds(10),
                () -> statusOf(() -> helloWith("Bearer " + bob.token())) == Status.Code.UNAUTHENTICATED);
    }

    @Test
    void exemptMethodsNeedNoToken() {
        String pong = ClientCalls.blockingUnaryCall(channel, GreeterService.PING, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "");
        assertThat(pong).isEqualTo("pong");
    }

    @Test
    void anUnreachableAuthorityFailsClosedWithUnavailable() throws Exception {
        SessionAuthorityClient nowhere = SessionAuthorityClient.builder("127.0.0.1:" + RedisServerProcess.freePort()).plaintext().build();
        Server isolated = io.grpc.ServerBuilder.forPort(0)
                .addService(io.grpc.ServerInterceptors.intercept(new GreeterService(), SessionAuthInterceptor.of(nowhere)))
                .build().start();
        ManagedChannel toIsolated = ManagedChannelBuilder.forAddress("127.0.0.1", isolated.getPort()).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(SessionAuthInterceptor.AUTHORIZATION, "Bearer " + alice.token());
            io.grpc.Channel intercepted = io.grpc.ClientInterceptors.intercept(toIsolated, MetadataUtils.newAttachHeadersInterceptor(headers));
            StatusRuntimeException error = thrown(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                    intercepted, GreeterService.HELLO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi"));
            assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            toIsolated.shutdownNow();
            isolated.shutdownNow();
            nowhere.close();
        }
    }

    @Test
    void aBareTokenHeaderCanBeConfigured() throws Exception {
        SessionAuthorityClient client = SessionAuthorityClient.builder("127.0.0.1:" + authority.port()).plaintext().build();
        Server custom = io.grpc.ServerBuilder.forPort(0)
                .addService(io.grpc.ServerInterceptors.intercept(new GreeterService(),
                        SessionAuthInterceptor.builder(client).tokenHeader("x-session-token").build()))
                .build().start();
        ManagedChannel toCustom = ManagedChannelBuilder.forAddress("127.0.0.1", custom.getPort()).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("x-session-token", Metadata.ASCII_STRING_MARSHALLER), alice.token());
            io.grpc.Channel intercepted = io.grpc.ClientInterceptors.intercept(toCustom, MetadataUtils.newAttachHeadersInterceptor(headers));
            assertThat(ClientCalls.blockingUnaryCall(intercepted, GreeterService.HELLO,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi")).startsWith("hello alice");
        } finally {
            toCustom.shutdownNow();
            custom.shutdownNow();
            client.close();
        }
    }

    /** exempt() adds to what was exempt before, and exemptService() opens a whole service. */
    @Test
    void exemptionsAddUpAndCanCoverAWholeService() throws Exception {
        SessionAuthorityClient client = SessionAuthorityClient.builder("127.0.0.1:" + authority.port()).plaintext().build();
        SessionAuthInterceptor interceptor = SessionAuthInterceptor.builder(client)
                .exempt("example.Greeter/Ping").exempt("example.Greeter/Other").build();
        SessionAuthInterceptor wholeService = SessionAuthInterceptor.builder(client).exemptService("example.Greeter").build();
        Server custom = io.grpc.ServerBuilder.forPort(0)
                .addService(io.grpc.ServerInterceptors.intercept(new GreeterService(), interceptor)).build().start();
        Server open = io.grpc.ServerBuilder.forPort(0)
                .addService(io.grpc.ServerInterceptors.intercept(new GreeterService(), wholeService)).build().start();
        ManagedChannel toCustom = ManagedChannelBuilder.forAddress("127.0.0.1", custom.getPort()).usePlaintext().build();
        ManagedChannel toOpen = ManagedChannelBuilder.forAddress("127.0.0.1", open.getPort()).usePlaintext().build();
        try {
            // Ping stayed exempt after a second exempt(...) call; Hello still needs a session.
            assertThat(ClientCalls.blockingUnaryCall(toCustom, GreeterService.PING,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "ping")).isEqualTo("pong");
            assertThat(statusOf(() -> ClientCalls.blockingUnaryCall(toCustom, GreeterService.HELLO,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi"))).isEqualTo(Status.Code.UNAUTHENTICATED);
            // The whole service is open: Hello reaches its handler without a session (which then fails
            // for want of one: the service asked for no check, so it gets none).
            assertThat(statusOf(() -> ClientCalls.blockingUnaryCall(toOpen, GreeterService.HELLO,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi"))).isEqualTo(Status.Code.UNKNOWN);
        } finally {
            toCustom.shutdownNow();
            toOpen.shutdownNow();
            custom.shutdownNow();
            open.shutdownNow();
            client.close();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SessionAuthInterceptor.builder(client).exempt("example.Greeter"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exemptService");
    }

    /**
     * The check never blocks a thread. One thread does everything here: it runs the server's calls,
     * starts the checked ones and receives the authority's answers. A check that waited for its
     * answer on that thread would wait forever (the answer needs the thread it holds); fifty calls
     * at once all complete.
     */
    @Test
    void checkingTokensBlocksNoServerThread() throws Exception {
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor();
        ManagedChannel toAuthority = ManagedChannelBuilder.forAddress("127.0.0.1", authority.port()).usePlaintext().executor(one).build();
        SessionAuthorityClient client = SessionAuthorityClient.builder("authority").channel(toAuthority)
                .deadline(java.time.Duration.ofSeconds(10)).build();
        Server single = io.grpc.ServerBuilder.forPort(0).executor(one)
                .addService(io.grpc.ServerInterceptors.intercept(new GreeterService(),
                        SessionAuthInterceptor.builder(client).executor(one).build()))
                .build().start();
        ManagedChannel toSingle = ManagedChannelBuilder.forAddress("127.0.0.1", single.getPort()).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(SessionAuthInterceptor.AUTHORIZATION, "Bearer " + alice.token());
            io.grpc.Channel intercepted = io.grpc.ClientInterceptors.intercept(toSingle, MetadataUtils.newAttachHeadersInterceptor(headers));
            List<com.google.common.util.concurrent.ListenableFuture<String>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(ClientCalls.futureUnaryCall(intercepted.newCall(GreeterService.HELLO,
                        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)), "hi"));
            }
            for (var call : calls) {
                assertThat(call.get(20, TimeUnit.SECONDS)).startsWith("hello alice");
            }
        } finally {
            toSingle.shutdownNow();
            single.shutdownNow();
            client.close();
            toAuthority.shutdownNow();
            one.shutdownNow();
        }
    }
}
