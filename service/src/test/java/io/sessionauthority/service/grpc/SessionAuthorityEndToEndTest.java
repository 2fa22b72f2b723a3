package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static io.sessionauthority.service.testing.GrpcErrors.errorInfo;
import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.sessionauthority.service.store.RedisSchema;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.v1.AllSessions;
import io.sessionauthority.v1.ChangePasswordRequest;
import io.sessionauthority.v1.ClientMetadata;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.CreateUserResponse;
import io.sessionauthority.v1.InvalidReason;
import io.sessionauthority.v1.ListSessionsRequest;
import io.sessionauthority.v1.ListSessionsResponse;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.SessionRef;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.ValidateResponse;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import com.google.common.util.concurrent.ListenableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every RPC and its error paths, through a real gRPC channel to the running service. */
@Tag("end-to-end")
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionAuthorityEndToEndTest implements TestPropertyProvider {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();

    @Inject
    GrpcEmbeddedServer server;

    private ManagedChannel channel;
    /**
     * A stub whose deadline starts now: one made per test started its 10 s at the test's start, and a
     * test of twenty login rounds on a busy machine ran out of it midway.
     */
    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub stub() {
        return SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of("redis.uri", REDIS.uri());
    }

    @BeforeAll
    void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterAll
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @BeforeEach
    void freshStore() {
        REDIS.flushAllButTheRevocationLog();
    }

    /** What the store holds but the log earlier tests appended to (it is kept: see the flush). */
    private static java.util.List<String> keysButTheRevocationLog() {
        return REDIS.commands().keys("*").stream().filter(key -> !key.equals(io.sessionauthority.service.store.RedisSchema.revocations())).toList();
    }

    private CreateUserResponse createUser(String username) {
        return stub().createUser(CreateUserRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
    }

    private LoginResponse login(String username) {
        return stub().login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD)
                .setClient(ClientMetadata.newBuilder().setIpAddress("192.0.2.1").setUserAgent("e2e-test").setDeviceName("ci"))
                .build());
    }

    private ValidateResponse validate(String token) {
        return stub().validate(ValidateRequest.newBuilder().setToken(token).build());
    }

    @Test
    void createLoginValidateTouchRevokeValidate() {
        CreateUserResponse created = createUser("  Alice ");
        assertThat(created.getUsername()).isEqualTo("alice");
        assertThat(created.getUserId()).hasSize(22);

        LoginResponse login = stub().login(LoginRequest.newBuilder().setUsername("ALICE").setPassword(PASSWORD)
                .setClient(ClientMetadata.newBuilder().setIpAddress("2001:db8::7").setUserAgent("Mozilla/5.0").setDeviceName("phone"))
                .putAttributes("cart", "42")
                .build());
        assertThat(login.getToken()).startsWith("sat1_");
        assertThat(login.getSession().getUserId()).isEqualTo(created.getUserId());
        assertThat(login.getSession().getUsername()).isEqualTo("alice");
        assertThat(login.getSession().getClient().getDeviceName()).isEqualTo("phone");
        assertThat(login.getSession().getIdleExpireTime().getSeconds())
                .isEqualTo(login.getSession().getCreateTime().getSeconds() + 30 * 60);
        assertThat(login.getSession().getExpireTime().getSeconds())
                .isEqualTo(login.getSession().getCreateTime().getSeconds() + 12 * 3600);

        ValidateResponse valid = validate(login.getToken());
        assertThat(valid.getValid()).isTrue();
        assertThat(valid.getReason()).isEqualTo(InvalidReason.INVALID_REASON_UNSPECIFIED);
        assertThat(valid.getSession()).isEqualTo(login.getSession());

        TouchResponse touched = stub().touch(TouchRequest.newBuilder().setToken(login.getToken())
                .putSetAttributes("page", "/checkout").addRemoveAttributes("cart").build());
        assertThat(touched.getValid()).isTrue();
        assertThat(touched.getSession().getAttributesMap()).containsOnly(Map.entry("page", "/checkout"));
        assertThat(touched.getSession().getLastSeenTime().getSeconds()).isGreaterThanOrEqualTo(login.getSession().getLastSeenTime().getSeconds());

        assertThat(stub().revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build()).getRevokedCount()).isEqualTo(1);

        ValidateResponse after = validate(login.getToken());
        assertThat(after.getValid()).isFalse();
        assertThat(after.getReason()).isEqualTo(InvalidReason.INVALID_REASON_REVOKED);
        assertThat(after.hasSession()).isFalse();
        assertThat(stub().revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build()).getRevokedCount()).isZero();
    }

    @Test
    void createUserRejectsBadInputWithTheFieldNamed() {
        StatusRuntimeException empty = expectStatus(Status.Code.INVALID_ARGUMENT,
                () -> stub().createUser(CreateUserRequest.newBuilder().setPassword(PASSWORD).build()));
        assertThat(empty.getStatus().getDescription()).isEqualTo("username: is required");
        ErrorInfo info = errorInfo(empty);
        assertThat(info.getReason()).isEqualTo("INVALID_FIELD");
        assertThat(info.getMetadataMap()).containsEntry("field", "username");

        StatusRuntimeException weak = expectStatus(Status.Code.INVALID_ARGUMENT,
                () -> stub().createUser(CreateUserRequest.newBuilder().setUsername("bob").setPassword("short").build()));
        assertThat(weak.getStatus().getDescription()).isEqualTo("password: must be at least 8 characters");

        expectStatus(Status.Code.INVALID_ARGUMENT,
                () -> stub().createUser(CreateUserRequest.newBuilder().setUsername("bo\0b").setPassword(PASSWORD).build()));
        expectStatus(Status.Code.INVALID_ARGUMENT,
                () -> stub().createUser(CreateUserRequest.newBuilder().setUsername("b".repeat(65)).setPassword(PASSWORD).build()));
        expectStatus(Status.Code.INVALID_ARGUMENT,
                () -> stub().createUser(CreateUserRequest.newBuilder().setUsername("bob").setPassword("p".repeat(257)).build()));
        assertThat(keysButTheRevocationLog()).isEmpty();
    }

    @Test
    void createUserWithATakenNameIsAlreadyExists() {
        createUser("carol");
        StatusRuntimeException taken = expectStatus(Status.Code.ALREADY_EXISTS, () -> createUser("CAROL"));
        assertThat(errorInfo(taken).getReason()).isEqualTo("USERNAME_TAKEN");
    }

    @Test
    void unknownUserAndWrongPasswordGetTheSameAnswer() {
        createUser("dave");
        StatusRuntimeException unknown = expectStatus(Status.Code.UNAUTHENTICATED, () -> stub().login(
                LoginRequest.newBuilder().setUsername("nobody").setPassword(PASSWORD).build()));
        StatusRuntimeException wrong = expectStatus(Status.Code.UNAUTHENTICATED, () -> stub().login(
                LoginRequest.newBuilder().setUsername("dave").setPassword("not the password").build()));
        assertThat(unknown.getStatus().getDescription()).isEqualTo(wrong.getStatus().getDescription());
        assertThat(errorInfo(unknown)).isEqualTo(errorInfo(wrong));
        assertThat(REDIS.commands().keys("*:s:*")).isEmpty();
    }

    @Test
    void loginRejectsBadClientMetadataAndAttributesBeforeCheckingThePassword() {
        createUser("erin");
        expectStatus(Status.Code.INVALID_ARGUMENT, () -> stub().login(LoginRequest.newBuilder().setUsername("erin").setPassword(PASSWORD)
                .setClient(ClientMetadata.newBuilder().setIpAddress("not-an-ip")).build()));
        LoginRequest.Builder tooMany = LoginRequest.newBuilder().setUsername("erin").setPassword(PASSWORD);
        for (int i = 0; i < 17; i++) {
            tooMany.putAttributes("k" + i, "v");
        }
        StatusRuntimeException error = expectStatus(Status.Code.INVALID_ARGUMENT, () -> stub().login(tooMany.build()));
        assertThat(errorInfo(error).getMetadataMap()).containsEntry("field", "attributes");
        assertThat(REDIS.commands().keys("*:s:*")).isEmpty();
    }

    @Test
    void validateTellsMalformedTokensFromUnknownOnes() {
        StatusRuntimeException empty = expectStatus(Status.Code.INVALID_ARGUMENT, () -> validate(""));
        assertThat(empty.getStatus().getDescription()).isEqualTo("token: is required");
        expectStatus(Status.Code.INVALID_ARGUMENT, () -> validate("garbage"));
        String truncated = "sat1_" + "A".repeat(63);
        expectStatus(Status.Code.INVALID_ARGUMENT, () -> validate(truncated));

        ValidateResponse unknown = validate("sat1_" + "A".repeat(64));
        assertThat(unknown.getValid()).isFalse();
        assertThat(unknown.getReason()).isEqualTo(InvalidReason.INVALID_REASON_UNKNOWN);
    }

    @Test
    void revokeOneSessionByIdsAndAllButOne() {
        String userId = createUser("frank").getUserId();
        LoginResponse a = login("frank");
        LoginResponse b = login("frank");
        LoginResponse c = login("frank");

        assertThat(stub().revoke(RevokeRequest.newBuilder().setSession(SessionRef.newBuilder()
                .setUserId(userId).setSessionId(a.getSession().getSessionId())).build()).getRevokedCount()).isEqualTo(1);
        assertThat(validate(a.getToken()).getValid()).isFalse();

        assertThat(stub().revoke(RevokeRequest.newBuilder().setAllSessions(AllSessions.newBuilder()
                .setUserId(userId).setExceptSessionId(c.getSession().getSessionId())).build()).getRevokedCount()).isEqualTo(1);
        assertThat(validate(b.getToken()).getReason()).isEqualTo(InvalidReason.INVALID_REASON_REVOKED);
        assertThat(validate(c.getToken()).getValid()).isTrue();
    }

    @Test
    void revokeRejectsMissingTargetsAndUnknownUsers() {
        StatusRuntimeException none = expectStatus(Status.Code.INVALID_ARGUMENT, () -> stub().revoke(RevokeRequest.getDefaultInstance()));
        assertThat(none.getStatus().getDescription()).contains("set one of token, session or all_sessions");
        expectStatus(Status.Code.INVALID_ARGUMENT, () -> stub().revoke(RevokeRequest.newBuilder()
                .setAllSessions(AllSessions.newBuilder().setUserId("not-a-user-id")).build()));
        expectStatus(Status.Code.INVALID_ARGUMENT, () -> stub().revoke(RevokeRequest.newBuilder()
                .setSession(SessionRef.newBuilder().setUserId("AAAAAAAAAAAAAAAAAAAAAA").setSessionId("x")).build()));
        expectStatus(Status.Code.NOT_FOUND, () -> stub().revoke(RevokeRequest.newBuilder()
                .setAllSessions(AllSessions.newBuilder().setUserId("AAAAAAAAAAAAAAAAAAAAAA")).build()));
        assertThat(keysButTheRevocationLog()).isEmpty();
    }

    @Test
    void listSessionsShowsDevicesAndTimesButNoToken() {
        String userId = createUser("grace").getUserId();
        LoginResponse first = login("grace");
        LoginResponse second = login("grace");

        ListSessionsResponse listed = stub().listSessions(ListSessionsRequest.newBuilder().setUserId(userId).build());

        assertThat(listed.getSessionsList()).extracting(io.sessionauthority.v1.Session::getSessionId)
                .containsExactlyInAnyOrder(first.getSession().getSessionId(), second.getSession().getSessionId());
        assertThat(listed.getSessions(0).getClient().getUserAgent()).isEqualTo("e2e-test");
        String wire = listed.toByteString().toStringUtf8();
        assertThat(wire).doesNotContain(first.getToken()).doesNotContain(second.getToken().substring(27));

        expectStatus(Status.Code.NOT_FOUND, () -> stub().listSessions(ListSessionsRequest.newBuilder().setUserId("AAAAAAAAAAAAAAAAAAAAAA").build()));
        expectStatus(Status.Code.INVALID_ARGUMENT, () -> stub().listSessions(ListSessionsRequest.getDefaultInstance()));
    }

    @Test
    void changePasswordRevokesTheOtherSessions() {
        String userId = createUser("heidi").getUserId();
        LoginResponse current = login("heidi");
        LoginResponse other = login("heidi");

        assertThat(stub().changePassword(ChangePasswordRequest.newBuilder().setUserId(userId).setCurrentPassword(PASSWORD)
                .setNewPassword("an even better passphrase").setKeepSessionId(current.getSession().getSessionId()).build())
                .getRevokedCount()).isEqualTo(1);

        assertThat(validate(current.getToken()).getValid()).isTrue();
        assertThat(validate(other.getToken()).getReason()).isEqualTo(InvalidReason.INVALID_REASON_REVOKED);
        expectStatus(Status.Code.UNAUTHENTICATED, () -> login("heidi"));
        expectStatus(Status.Code.UNAUTHENTICATED, () -> stub().changePassword(ChangePasswordRequest.newBuilder().setUserId(userId)
                .setCurrentPassword("wrong password").setNewPassword("whatever it is").build()));
        expectStatus(Status.Code.INVALID_ARGUMENT, () -> stub().changePassword(ChangePasswordRequest.newBuilder().setUserId(userId)
                .setCurrentPassword("an even better passphrase").setNewPassword("short").build()));
    }

    @Test
    void touchRacingRevokeNeverResurrectsTheSession() throws Exception {
        createUser("ivan");
        SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub async = SessionAuthorityServiceGrpc.newFutureStub(channel);
        AtomicInteger touchesThatSawItLive = new AtomicInteger();
        for (int round = 0; round < 20; round++) {
            LoginResponse login = login("ivan");
            List<ListenableFuture<TouchResponse>> touches = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                touches.add(async.withDeadlineAfter(10, TimeUnit.SECONDS).touch(TouchRequest.newBuilder().setToken(login.getToken()).putSetAttributes("n", "" + i).build()));
                if (i == 5) {
                    async.withDeadlineAfter(10, TimeUnit.SECONDS).revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build()).get(10, TimeUnit.SECONDS);
                }
            }
            for (ListenableFuture<TouchResponse> touch : touches) {
                if (touch.get(10, TimeUnit.SECONDS).getValid()) {
                    touchesThatSawItLive.incrementAndGet();
                }
            }
            assertThat(validate(login.getToken()).getReason()).isEqualTo(InvalidReason.INVALID_REASON_REVOKED);
            assertThat(REDIS.commands().exists(RedisSchema.session(login.getSession().getUserId(), login.getSession().getSessionId())))
                    .isZero();
        }
        assertThat(touchesThatSawItLive.get()).isPositive(); // the race really ran both ways
    }

    @Test
    void oversizedRequestsAreRefusedAndWriteNothing() {
        createUser("judy");
        StatusRuntimeException error = expectStatus(Status.Code.RESOURCE_EXHAUSTED, () -> stub().login(LoginRequest.newBuilder()
                .setUsername("judy").setPassword(PASSWORD).putAttributes("blob", "x".repeat(100_000)).build()));
        assertThat(error.getStatus().getDescription()).containsIgnoringCase("size");
        assertThat(REDIS.commands().keys("*:s:*")).isEmpty();
    }

    @Test
    void healthReportsServing() {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void reflectionListsTheService() throws Exception {
        List<String> services = reflect(ServerReflectionRequest.newBuilder().setListServices("").build()).stream()
                .flatMap(response -> response.getListServicesResponse().getServiceList().stream())
                .map(service -> service.getName()).toList();
        assertThat(services).contains("sessionauthority.v1.SessionAuthorityService", "grpc.health.v1.Health");
    }

    /** Older tools (grpcurl before v1, Postman) speak only v1alpha reflection: it is served too. */
    @Test
    @SuppressWarnings("deprecation")
    void reflectionV1AlphaListsTheServiceToo() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        List<String> services = new ArrayList<>();
        StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> requests = io.grpc.reflection.v1alpha.ServerReflectionGrpc
                .newStub(channel).serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse response) {
                        response.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(services).contains("sessionauthority.v1.SessionAuthorityService", "grpc.reflection.v1.ServerReflection",
                "grpc.reflection.v1alpha.ServerReflection");
    }

    /**
     * grpcurl and buf curl decode an error's details by asking reflection for the type its Any
     * names: every detail type an error carries resolves, and the contract's file as served still
     * declares the service.
     */
    @Test
    void reflectionResolvesTheTypesOfAnErrorsDetails() throws Exception {
        StatusRuntimeException error = expectStatus(Status.Code.INVALID_ARGUMENT,
                () -> stub().validate(ValidateRequest.newBuilder().setToken("not-a-token").build()));
        List<String> detailTypes = io.grpc.protobuf.StatusProto.fromThrowable(error).getDetailsList().stream()
                .map(any -> any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1)).toList();
        assertThat(detailTypes).contains("google.rpc.ErrorInfo");

        for (String symbol : List.of(detailTypes.get(0), "google.rpc.RetryInfo", "sessionauthority.v1.SessionAuthorityService")) {
            List<com.google.protobuf.DescriptorProtos.FileDescriptorProto> files = filesContaining(symbol);
            assertThat(files).as(symbol).isNotEmpty();
            if (symbol.startsWith("google.rpc")) {
                assertThat(files.get(0).getName()).isEqualTo("google/rpc/error_details.proto");
            } else {
                assertThat(files.get(0).getServiceList()).extracting(service -> service.getName()).containsExactly("SessionAuthorityService");
                assertThat(files.get(0).getDependencyList()).contains("google/rpc/error_details.proto");
            }
        }
    }

    private List<com.google.protobuf.DescriptorProtos.FileDescriptorProto> filesContaining(String symbol) throws Exception {
        List<com.google.protobuf.DescriptorProtos.FileDescriptorProto> files = new ArrayList<>();
        for (ServerReflectionResponse response : reflect(ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build())) {
            for (com.google.protobuf.ByteString file : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
                files.add(com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(file));
            }
        }
        return files;
    }

    /** One v1 reflection request, and every response to it, once the server has ended the stream. */
    private List<ServerReflectionResponse> reflect(ServerReflectionRequest request) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        List<ServerReflectionResponse> responses = new java.util.concurrent.CopyOnWriteArrayList<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        responses.add(response);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        requests.onNext(request);
        requests.onCompleted();
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        return responses;
    }
}
