package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static io.sessionauthority.service.testing.GrpcErrors.errorInfo;
import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.sessionauthority.service.audit.AuditLog;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.testing.TlsService;
import io.sessionauthority.service.testing.TestCertificates;
import io.sessionauthority.v1.ChangePasswordRequest;
import io.sessionauthority.v1.ClientMetadata;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.ValidateRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The attacks of the second security review, each reproduced as it was found: by a caller with
 * legitimate credentials, against the documented production configuration (TLS, callers known by
 * certificate or API key). Every test here failed on the code before the fix.
 */
@Tag("end-to-end")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CredentialedAttackerEndToEndTest {

    private static final String EDGE_KEY = "edge-api-key-0123456789";
    private static final String ADMIN_KEY = "admin-api-key-9876543210";
    private static final String ORDERS_SPIFFE = "spiffe://example.org/ns/prod/sa/orders";

    private TlsService service;
    private TestCertificates pki;
    private final ListAppender<ILoggingEvent> auditLines = new ListAppender<>();

    @BeforeAll
    void start() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("session-authority.security.callers.edge.api-key-sha256", List.of(CallerRegistry.digestOf(EDGE_KEY)));
        properties.put("session-authority.security.callers.edge.permissions", List.of("login", "validate", "write_attributes"));
        // Known by its SPIFFE id, and (an old habit) by its CN too: the CN must never stand in for another workload.
        properties.put("session-authority.security.callers.orders.tls-identities", List.of(ORDERS_SPIFFE, "CN=orders"));
        properties.put("session-authority.security.callers.orders.permissions", List.of("validate"));
        properties.put("session-authority.security.callers.admin.api-key-sha256", List.of(CallerRegistry.digestOf(ADMIN_KEY)));
        properties.put("session-authority.security.callers.admin.permissions", List.of("admin"));
        properties.put("session-authority.ext-authz.forward-attributes", List.of("role", "tenant"));
        properties.put("session-authority.grpc.max-open-streams", 3);
        service = TlsService.start(properties, java.time.Clock.systemUTC());
        pki = service.pki();
        auditLines.start();
        ((Logger) LoggerFactory.getLogger(AuditLog.LOGGER)).addAppender(auditLines);
    }

    @AfterAll
    void stop() {
        ((Logger) LoggerFactory.getLogger(AuditLog.LOGGER)).detachAppender(auditLines);
        service.close();
    }

    private ManagedChannel channel(ChannelCredentials credentials) {
        return service.channel(credentials);
    }

    private ChannelCredentials tls() {
        return service.tls();
    }

    private ChannelCredentials mtls(TestCertificates.Pair cert) {
        return service.mtls(cert);
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub stub(String apiKey) {
        return service.withApiKey(apiKey);
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub edge() {
        return stub(EDGE_KEY);
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub admin() {
        return stub(ADMIN_KEY);
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub orders() {
        return SessionAuthorityServiceGrpc.newBlockingStub(channel(mtls(pki.client("orders", ORDERS_SPIFFE))))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private AuthorizationGrpc.AuthorizationBlockingStub ordersAsEnvoy() {
        return AuthorizationGrpc.newBlockingStub(channel(mtls(pki.client("orders", ORDERS_SPIFFE))))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static LoginRequest login(String username, String password, String ip, String deviceToken) {
        return LoginRequest.newBuilder().setUsername(username).setPassword(password)
                .setClient(ClientMetadata.newBuilder().setIpAddress(ip)).setDeviceToken(deviceToken).build();
    }

    private String createUser(String name) {
        return admin().createUser(CreateUserRequest.newBuilder().setUsername(name).setPassword(PASSWORD).build()).getUserId();
    }

    // 1. A validate-only caller rewrote what apps trust.
    @Test
    void aValidateOnlyCallerCannotRaiseAUsersPrivilegesButCanKeepTheSessionAlive() {
        createUser("vera");
        LoginResponse session = edge().login(LoginRequest.newBuilder().setUsername("vera").setPassword(PASSWORD)
                .putAttributes("role", "viewer").putAttributes("tenant", "acme").build());

        expectStatus(Status.Code.PERMISSION_DENIED, () -> orders().touch(TouchRequest.newBuilder().setToken(session.getToken())
                .putSetAttributes("role", "admin").putSetAttributes("tenant", "other-tenant").build()));
        expectStatus(Status.Code.PERMISSION_DENIED, () -> orders().touch(TouchRequest.newBuilder().setToken(session.getToken())
                .addRemoveAttributes("tenant").build()));
        // Keeping it alive is part of checking it.
        assertThat(orders().touch(TouchRequest.newBuilder().setToken(session.getToken()).build()).getValid()).isTrue();

        CheckResponse check = ordersAsEnvoy().check(CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
                        .setMethod("GET").setPath("/").putHeaders("authorization", "Bearer " + session.getToken())))).build());
        assertThat(check.getOkResponse().getHeadersList()).extracting(HeaderValueOption::getHeader)
                .anySatisfy(header -> {
                    assertThat(header.getKey()).isEqualTo("x-session-attr-role");
                    assertThat(header.getValue()).isEqualTo("viewer");
                })
                .noneSatisfy(header -> assertThat(header.getValue()).isIn("admin", "other-tenant"));

        // The edge, granted write_attributes, may.
        assertThat(edge().touch(TouchRequest.newBuilder().setToken(session.getToken()).putSetAttributes("page", "/cart").build())
                .getSession().getAttributesMap()).containsEntry("page", "/cart");
    }

    // 2. Anyone could lock any known user out, indefinitely.
    @Test
    void aDistributedGuessingCampaignDoesNotKeepTheOwnerOutOfTheirDevice() {
        createUser("wendy");
        String device = edge().login(login("wendy", PASSWORD, "198.51.100.20", "")).getDeviceToken();
        assertThat(device).startsWith("sad1_");

        // 100 wrong guesses over 10 addresses, each below the per-address bar.
        for (int i = 0; i < 100; i++) {
            int guess = i;
            expectStatus(Status.Code.UNAUTHENTICATED, () -> edge().login(login("wendy", "guess-" + guess, "198.18.0." + (guess % 10), "")));
        }
        // A new device is locked with the username (the attacker's budget does not grow)...
        var locked = expectStatus(Status.Code.RESOURCE_EXHAUSTED, () -> edge().login(login("wendy", PASSWORD, "192.0.2.44", "")));
        assertThat(errorInfo(locked).getReason()).isEqualTo("LOGIN_THROTTLED");
        // ...the owner's device is not, from a new address, and gets a new token (the old one rotated out).
        LoginResponse owner = edge().login(login("wendy", PASSWORD, "192.0.2.45", device));
        assertThat(owner.getToken()).startsWith("sat1_");
        assertThat(owner.getDeviceToken()).startsWith("sad1_").isNotEqualTo(device);
        // Further guesses, even with a forged device token, only add to the lock: the owner still logs in.
        expectStatus(Status.Code.RESOURCE_EXHAUSTED, () -> edge().login(login("wendy", "guess-x", "198.18.0.1",
                "sad1_" + "A".repeat(64))));
        assertThat(edge().login(login("wendy", PASSWORD, "192.0.2.46", owner.getDeviceToken())).getToken()).startsWith("sat1_");
    }

    // 3. ChangePassword guesses were never throttled.
    @Test
    void changePasswordGuessesStopAtTheThresholdAndTheRightOneIsRefusedWhileLocked() {
        String userId = createUser("xavier");
        for (int i = 0; i < 30; i++) {
            int guess = i;
            expectStatus(Status.Code.UNAUTHENTICATED, () -> admin().changePassword(ChangePasswordRequest.newBuilder().setUserId(userId)
                    .setCurrentPassword("guess-" + guess).setNewPassword("attacker chosen password")
                    .setClient(ClientMetadata.newBuilder().setIpAddress("203.0.113.77")).build()));
        }
        var refused = expectStatus(Status.Code.RESOURCE_EXHAUSTED, () -> admin().changePassword(ChangePasswordRequest.newBuilder()
                .setUserId(userId).setCurrentPassword(PASSWORD).setNewPassword("attacker chosen password")
                .setClient(ClientMetadata.newBuilder().setIpAddress("203.0.113.77")).build()));
        assertThat(errorInfo(refused).getReason()).isEqualTo("LOGIN_THROTTLED");
        // The password did not change.
        assertThat(edge().login(login("xavier", PASSWORD, "192.0.2.50", "")).getToken()).startsWith("sat1_");
    }

    // 4. Throttle keys from malformed addresses.
    @Test
    void malformedAddressesAreRefusedAndIpv4InIpv6IsOneHost() {
        createUser("yvonne");
        for (String malformed : List.of("203.0.113.9:80", "1.2.3.4:", "1::2::3", ":::", "[::1]:443")) {
            var refused = expectStatus(Status.Code.INVALID_ARGUMENT, () -> edge().login(login("yvonne", "wrong", malformed, "")));
            assertThat(errorInfo(refused).getMetadataMap()).containsEntry("field", "client.ip_address");
        }
        // 30 guesses spread over IPv4-embedding spellings of one host exhaust that one host's budget.
        List<String> spellings = List.of("::ffff:203.0.113.9", "::203.0.113.9", "64:ff9b::203.0.113.9", "2002:cb00:7109::1");
        for (int i = 0; i < 30; i++) {
            int guess = i;
            expectStatus(Status.Code.UNAUTHENTICATED, () -> edge().login(login("target-" + guess, "wrong",
                    spellings.get(guess % spellings.size()), "")));
        }
        expectStatus(Status.Code.RESOURCE_EXHAUSTED, () -> edge().login(login("yvonne", PASSWORD, "203.0.113.9", "")));
        // The canonical form is what a session keeps.
        LoginResponse session = edge().login(login("yvonne", PASSWORD, "2001:DB8:0:0:0:0:0:1", ""));
        assertThat(session.getSession().getClient().getIpAddress()).isEqualTo("2001:db8::1");
    }

    // 6. A certificate whose CN matched a configured identity passed although its SPIFFE id named another workload.
    @Test
    void theSpiffeIdIsTheOnlyIdentityOfACertificateThatHasOne() {
        var otherWorkload = SessionAuthorityServiceGrpc.newBlockingStub(channel(mtls(
                pki.client("impostor", "orders", "spiffe://example.org/ns/prod/sa/billing")))).withDeadlineAfter(10, TimeUnit.SECONDS);
        expectStatus(Status.Code.UNAUTHENTICATED, () -> otherWorkload.validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build()));

        var twoIds = SessionAuthorityServiceGrpc.newBlockingStub(channel(mtls(
                pki.client("two-ids", "two", ORDERS_SPIFFE, "spiffe://example.org/ns/prod/sa/billing")))).withDeadlineAfter(10, TimeUnit.SECONDS);
        expectStatus(Status.Code.UNAUTHENTICATED, () -> twoIds.validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build()));

        // Without a URI SAN, the subject is the identity, as configured.
        var byCn = SessionAuthorityServiceGrpc.newBlockingStub(channel(mtls(pki.client("cn-only", "orders", new String[0]))))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(byCn.validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build()).getValid()).isFalse();
    }

    // 6. Look-alike usernames were separate users.
    @Test
    void lookAlikeUsernamesAreRefused() {
        createUser("zoe");
        var mixed = expectStatus(Status.Code.INVALID_ARGUMENT, () -> admin().createUser(CreateUserRequest.newBuilder()
                .setUsername("z\u043Ee").setPassword(PASSWORD).build())); // Cyrillic о inside Latin letters
        assertThat(mixed.getStatus().getDescription()).contains("mixes scripts");
        createUser("ape");
        expectStatus(Status.Code.ALREADY_EXISTS, () -> admin().createUser(CreateUserRequest.newBuilder()
                .setUsername("\u0430\u0440\u0435").setPassword(PASSWORD).build())); // all-Cyrillic "аре"
    }

    // 6. Health Watch streams were unlimited.
    @Test
    void healthWatchStreamsAreBounded() throws Exception {
        ManagedChannel channel = channel(tls());
        List<io.grpc.Context.CancellableContext> watches = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            for (int i = 0; i < 3; i++) {
                io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
                watches.add(context);
                java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
                context.run(() -> io.grpc.health.v1.HealthGrpc.newStub(channel).watch(
                        io.grpc.health.v1.HealthCheckRequest.getDefaultInstance(), observer(first, errors)));
                assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
            }
            java.util.concurrent.CountDownLatch fourth = new java.util.concurrent.CountDownLatch(1);
            io.grpc.health.v1.HealthGrpc.newStub(channel).watch(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance(),
                    observer(fourth, errors));
            assertThat(fourth.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(errors).singleElement().satisfies(error ->
                    assertThat(Status.fromThrowable(error).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        } finally {
            watches.forEach(context -> context.cancel(null));
        }
    }

    private static io.grpc.stub.StreamObserver<io.grpc.health.v1.HealthCheckResponse> observer(
            java.util.concurrent.CountDownLatch signal, List<Throwable> errors) {
        return new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(io.grpc.health.v1.HealthCheckResponse value) {
                signal.countDown();
            }

            @Override
            public void onError(Throwable error) {
                errors.add(error);
                signal.countDown();
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    // 6. The audit log recorded a raw failed username (a password typed into the username field).
    @Test
    void aPasswordTypedIntoTheUsernameFieldNeverReachesTheAuditLog() {
        String typedPassword = "Tr0ub4dor&3-typed-in-the-wrong-field";
        expectStatus(Status.Code.UNAUTHENTICATED, () -> edge().login(login(typedPassword, PASSWORD, "192.0.2.90", "")));
        assertThat(auditLines.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).startsWith("event=login.failure caller=edge username_ref="))
                .noneSatisfy(line -> assertThat(line.toLowerCase()).contains(typedPassword.toLowerCase()));
    }
}
