package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.ClientMetadata;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.ValidateRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests an attacker would send: each gets a clear status, and nothing is written. */
@Tag("end-to-end")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileRequestsEndToEndTest {

    private RedisServerProcess redis;
    private ServiceUnderTest service;
    private LoginResponse alice;
    private Set<String> keysBefore;

    @BeforeAll
    void start() {
        redis = RedisServerProcess.start();
        // No throttle here: these tests send many bad logins on purpose, and throttling has its own tests.
        service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.login-throttle.enabled", false));
        service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
        alice = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
    }

    @AfterAll
    void stop() {
        service.close();
        redis.close();
    }

    private Set<String> keysAndFields() {
        Set<String> all = new TreeSet<>();
        for (String key : redis.commands().keys("*")) {
            all.add(key);
            if ("hash".equals(redis.commands().type(key))) {
                redis.commands().hgetall(key).forEach((field, value) -> all.add(key + " " + field + "=" + (field.equals("ls") || field.equals("ix") ? "" : value)));
            }
        }
        return all;
    }

    private io.grpc.StatusRuntimeException expectNothingWritten(Status.Code code, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Set<String> before = keysAndFields();
        io.grpc.StatusRuntimeException refused = expectStatus(code, call);
        assertThat(keysAndFields()).isEqualTo(before);
        return refused;
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub stub() {
        return service.blocking();
    }

    @Test
    void aMessageOverTheInboundLimitIsRefusedBeforeParsing() {
        expectNothingWritten(Status.Code.RESOURCE_EXHAUSTED, () -> stub().touch(TouchRequest.newBuilder()
                .setToken(alice.getToken()).putSetAttributes("blob", "x".repeat(70_000)).build()));
    }

    @Test
    void thousandsOfAttributesAreRefused() {
        TouchRequest.Builder touch = TouchRequest.newBuilder().setToken(alice.getToken());
        LoginRequest.Builder login = LoginRequest.newBuilder().setUsername("alice").setPassword(PASSWORD);
        for (int i = 0; i < 3000; i++) {
            touch.putSetAttributes("a" + i, "v");
            login.putAttributes("a" + i, "v");
        }
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().touch(touch.build()));
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().login(login.build()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nul\u0000byte", "bell\u0007", "new\nline", "zero\u200Bwidth", "bidi\u202Eoverride"})
    void controlAndInvisibleCharactersAreRefusedEverywhere(String hostile) {
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().createUser(CreateUserRequest.newBuilder()
                .setUsername(hostile).setPassword(PASSWORD).build()));
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().login(LoginRequest.newBuilder().setUsername("alice")
                .setPassword(PASSWORD).setClient(ClientMetadata.newBuilder().setUserAgent(hostile)).build()));
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().touch(TouchRequest.newBuilder()
                .setToken(alice.getToken()).putSetAttributes("page", hostile).build()));
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().touch(TouchRequest.newBuilder()
                .setToken(alice.getToken()).putSetAttributes(hostile, "v").build()));
    }

    @Test
    void overlongUsernamesAndPasswordsAreRefused() {
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().createUser(CreateUserRequest.newBuilder()
                .setUsername("u".repeat(10_000)).setPassword(PASSWORD).build()));
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().createUser(CreateUserRequest.newBuilder()
                .setUsername("bob").setPassword("p".repeat(10_000)).build()));
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().login(LoginRequest.newBuilder()
                .setUsername("alice").setPassword("p".repeat(10_000)).build()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sat2_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // wrong prefix
            "sat1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",   // too short
            "sat1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // too long
            "sat1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/+",  // wrong alphabet
            "Bearer sat1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void tokensOfTheWrongShapeAreRefused(String token) {
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().validate(ValidateRequest.newBuilder().setToken(token).build()));
        expectNothingWritten(Status.Code.INVALID_ARGUMENT, () -> stub().touch(TouchRequest.newBuilder().setToken(token).build()));
    }

    /**
     * A call whose deadline passed (or whose caller went away) before the service got to it does no
     * work at all. Over a real channel the client gives up before sending; in process, an
     * interceptor cancels the call's context just before the handler runs, so the server-side guard
     * itself is what answers.
     */
    @Test
    void aCallCancelledBeforeItStartsDoesNothing() throws Exception {
        ServerInterceptor cancelFirst = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                Context.CancellableContext cancelled = Context.current().withCancellation();
                cancelled.cancel(null);
                return Contexts.interceptCall(cancelled, call, headers, next);
            }
        };
        String name = InProcessServerBuilder.generateName();
        Server server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(service.bean(SessionAuthorityEndpoint.class), cancelFirst))
                .build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            var stub = SessionAuthorityServiceGrpc.newBlockingStub(channel);
            for (var call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                    () -> stub.createUser(CreateUserRequest.newBuilder().setUsername("carol").setPassword(PASSWORD).build()),
                    () -> stub.login(LoginRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build()))) {
                var refused = expectNothingWritten(Status.Code.DEADLINE_EXCEEDED, call);
                // The server's guard answered (its ErrorInfo), not a client giving up.
                assertThat(io.sessionauthority.service.testing.GrpcErrors.errorInfo(refused).getReason()).isEqualTo("DEADLINE_EXCEEDED");
            }
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
        assertThat(redis.commands().keys("sa:username:*")).isEqualTo(List.of("sa:username:alice"));
    }
}
