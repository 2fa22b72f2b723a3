package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.AllSessions;
import io.sessionauthority.v1.ChangePasswordRequest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.ListSessionsRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub;
import io.sessionauthority.v1.SessionRef;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.ValidateRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every permission against every RPC (and the request shapes that need more than the method's
 * permission): a caller holding exactly one permission either gets past authorization or gets
 * PERMISSION_DENIED, as the security model (docs/SECURING.md) says. Requests carry dummy values: what
 * happens past authorization (NOT_FOUND, INVALID_ARGUMENT, valid=false) is not the question.
 */
@Tag("end-to-end")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PermissionMatrixEndToEndTest {

    private static final List<String> PERMISSIONS = List.of("validate", "write_attributes", "login", "admin");
    private static final String TOKEN = "sat1_" + "A".repeat(64);
    private static final String USER_ID = "AAAAAAAAAAAAAAAAAAAAAA";

    /** Each operation, and the permissions that may do it. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("Validate", Set.of("validate")),
            Map.entry("Touch (keep alive)", Set.of("validate", "write_attributes")),
            Map.entry("Touch (set attributes)", Set.of("write_attributes")),
            Map.entry("Touch (remove attributes)", Set.of("write_attributes")),
            Map.entry("Check (Envoy)", Set.of("validate")),
            Map.entry("Refresh", Set.of("validate", "login")),
            Map.entry("StepUp", Set.of("login")),
            Map.entry("EnrollTotp", Set.of("login")),
            Map.entry("ConfirmTotp", Set.of("login")),
            Map.entry("DisableTotp", Set.of("admin")),
            Map.entry("Login", Set.of("login")),
            Map.entry("Revoke (token)", Set.of("login", "admin")),
            Map.entry("Revoke (session)", Set.of("admin")),
            Map.entry("Revoke (all sessions)", Set.of("admin")),
            Map.entry("CreateUser", Set.of("admin")),
            Map.entry("ImportUsers", Set.of("admin")),
            Map.entry("ListSessions", Set.of("admin")),
            Map.entry("ChangePassword", Set.of("admin")));

    private RedisServerProcess redis;
    private ServiceUnderTest service;

    @BeforeAll
    void start() {
        redis = RedisServerProcess.start();
        Map<String, Object> properties = new HashMap<>();
        properties.put("session-authority.security.caller-auth", "required");
        for (String permission : PERMISSIONS) {
            String caller = permission.replace('_', '-');
            properties.put("session-authority.security.callers." + caller + ".api-key-sha256", List.of(CallerRegistry.digestOf(key(permission))));
            properties.put("session-authority.security.callers." + caller + ".permissions", List.of(permission));
        }
        service = ServiceUnderTest.start(redis.uri(), properties);
    }

    @AfterAll
    void stop() {
        service.close();
        redis.close();
    }

    private static String key(String permission) {
        return "key-of-the-" + permission + "-caller";
    }

    private Channel as(String permission) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), key(permission));
        return ClientInterceptors.intercept(service.channel(), MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static Map<String, Consumer<Channel>> operations() {
        Map<String, Consumer<Channel>> operations = new HashMap<>();
        operations.put("Validate", channel -> stub(channel).validate(ValidateRequest.newBuilder().setToken(TOKEN).build()));
        operations.put("Touch (keep alive)", channel -> stub(channel).touch(TouchRequest.newBuilder().setToken(TOKEN).build()));
        operations.put("Touch (set attributes)", channel -> stub(channel).touch(TouchRequest.newBuilder().setToken(TOKEN)
                .putSetAttributes("role", "admin").build()));
        operations.put("Touch (remove attributes)", channel -> stub(channel).touch(TouchRequest.newBuilder().setToken(TOKEN)
                .addRemoveAttributes("role").build()));
        operations.put("Check (Envoy)", channel -> AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(CheckRequest.getDefaultInstance()));
        operations.put("Refresh", channel -> stub(channel).refresh(io.sessionauthority.v1.RefreshRequest.newBuilder().setToken(TOKEN).build()));
        operations.put("StepUp", channel -> stub(channel).stepUp(io.sessionauthority.v1.StepUpRequest.newBuilder().setToken(TOKEN)
                .setCode("123456").build()));
        operations.put("EnrollTotp", channel -> stub(channel).enrollTotp(io.sessionauthority.v1.EnrollTotpRequest.newBuilder()
                .setToken(TOKEN).build()));
        operations.put("ConfirmTotp", channel -> stub(channel).confirmTotp(io.sessionauthority.v1.ConfirmTotpRequest.newBuilder()
                .setToken(TOKEN).setCode("123456").build()));
        operations.put("DisableTotp", channel -> stub(channel).disableTotp(io.sessionauthority.v1.DisableTotpRequest.newBuilder()
                .setUserId(USER_ID).build()));
        operations.put("Login", channel -> stub(channel).login(LoginRequest.newBuilder().setUsername("nobody").setPassword("whatever1").build()));
        operations.put("Revoke (token)", channel -> stub(channel).revoke(RevokeRequest.newBuilder().setToken(TOKEN).build()));
        operations.put("Revoke (session)", channel -> stub(channel).revoke(RevokeRequest.newBuilder()
                .setSession(SessionRef.newBuilder().setUserId(USER_ID).setSessionId(USER_ID)).build()));
        operations.put("Revoke (all sessions)", channel -> stub(channel).revoke(RevokeRequest.newBuilder()
                .setAllSessions(AllSessions.newBuilder().setUserId(USER_ID)).build()));
        operations.put("CreateUser", channel -> stub(channel).createUser(CreateUserRequest.newBuilder().setUsername("").build()));
        operations.put("ImportUsers", PermissionMatrixEndToEndTest::importOne);
        operations.put("ListSessions", channel -> stub(channel).listSessions(ListSessionsRequest.newBuilder().setUserId(USER_ID).build()));
        operations.put("ChangePassword", channel -> stub(channel).changePassword(ChangePasswordRequest.newBuilder().setUserId(USER_ID).build()));
        return operations;
    }

    /** A client-streaming call of one (refused) user; throws its status as the blocking calls do. */
    private static void importOne(Channel channel) {
        try {
            UserImportEndToEndTest.importUsers(channel, List.of(io.sessionauthority.v1.ImportUsersRequest.newBuilder().setUsername("").build()));
        } catch (StatusRuntimeException status) {
            throw status;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static SessionAuthorityServiceBlockingStub stub(Channel channel) {
        return SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    static Stream<Arguments> everyPermissionAgainstEveryOperation() {
        return PERMISSIONS.stream().flatMap(permission -> ALLOWED.entrySet().stream()
                .map(operation -> Arguments.of(permission, operation.getKey(), operation.getValue().contains(permission))));
    }

    @ParameterizedTest(name = "{0} → {1}: allowed {2}")
    @MethodSource("everyPermissionAgainstEveryOperation")
    void eachPermissionReachesExactlyItsOperations(String permission, String operation, boolean allowed) {
        assertThat(operations()).containsKey(operation);
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                () -> operations().get(operation).accept(as(permission)));
        Status.Code code = failure == null ? Status.Code.OK : failure.getStatus().getCode();
        if (allowed) {
            // Past authorization: whatever the dummy request then earns, but never a refusal of the caller.
            assertThat(code).as("status").isNotIn(Status.Code.PERMISSION_DENIED, Status.Code.INTERNAL);
            if (code == Status.Code.UNAUTHENTICATED) {
                assertThat(io.sessionauthority.service.testing.GrpcErrors.errorInfo(failure).getReason()).isEqualTo("INVALID_CREDENTIALS");
            }
        } else {
            assertThat(code).as("status").isEqualTo(Status.Code.PERMISSION_DENIED);
        }
    }
}
