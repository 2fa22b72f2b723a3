package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static io.sessionauthority.service.testing.GrpcErrors.errorInfo;
import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static io.sessionauthority.service.testing.GrpcErrors.retryInfo;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.sessionauthority.service.audit.AuditLog;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.testing.MutableClock;
import io.sessionauthority.service.testing.TlsService;
import io.sessionauthority.v1.AllSessions;
import io.sessionauthority.v1.ClientMetadata;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.ListSessionsRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.SessionRef;
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
 * The documented production configuration: TLS on the wire, callers authenticated by client
 * certificate or API key, permissions per RPC group, brute-force throttling and the audit trail.
 */
@Tag("end-to-end")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityEndToEndTest {

    private static final String EDGE_KEY = "edge-api-key-0123456789";
    private static final String ADMIN_KEY = "admin-api-key-9876543210";
    private static final String ORDERS_SPIFFE = "spiffe://example.org/ns/prod/sa/orders";

    private final MutableClock clock = MutableClock.startingNow();
    private TlsService service;
    private final ListAppender<ILoggingEvent> auditLines = new ListAppender<>();

    @BeforeAll
    void start() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("session-authority.security.callers.edge.api-key-sha256", List.of(CallerRegistry.digestOf(EDGE_KEY)));
        properties.put("session-authority.security.callers.edge.permissions", List.of("login", "validate"));
        properties.put("session-authority.security.callers.orders.tls-identities", List.of(ORDERS_SPIFFE));
        properties.put("session-authority.security.callers.orders.permissions", List.of("validate"));
        properties.put("session-authority.security.callers.admin.api-key-sha256", List.of(CallerRegistry.digestOf(ADMIN_KEY)));
        properties.put("session-authority.security.callers.admin.permissions", List.of("admin"));
        service = TlsService.start(properties, clock);
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

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub withApiKey(String key) {
        return service.withApiKey(key);
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub edge() {
        return withApiKey(EDGE_KEY);
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub admin() {
        return withApiKey(ADMIN_KEY);
    }

    private SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub orders() {
        return service.withCertificate(service.pki().client("orders", ORDERS_SPIFFE));
    }

    private static LoginRequest login(String username, String password, String ip) {
        return LoginRequest.newBuilder().setUsername(username).setPassword(password)
                .setClient(ClientMetadata.newBuilder().setIpAddress(ip)).build();
    }

    private static final ValidateRequest SOME_TOKEN = ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build();

    @Test
    void aPlaintextCallerIsRefused() {
        SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub plaintext = SessionAuthorityServiceGrpc
                .newBlockingStub(channel(InsecureChannelCredentials.create())).withDeadlineAfter(5, TimeUnit.SECONDS);
        // The TLS port cannot speak plaintext HTTP/2: the connection fails, the call never reaches the service.
        expectStatus(Status.Code.UNAVAILABLE, () -> plaintext.validate(SOME_TOKEN));
    }

    @Test
    void anUnknownCallerIsUnauthenticated() {
        SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub anonymous =
                SessionAuthorityServiceGrpc.newBlockingStub(channel(tls())).withDeadlineAfter(5, TimeUnit.SECONDS);
        expectStatus(Status.Code.UNAUTHENTICATED, () -> anonymous.validate(SOME_TOKEN));
        expectStatus(Status.Code.UNAUTHENTICATED, () -> withApiKey("not-a-configured-key").validate(SOME_TOKEN));
        expectStatus(Status.Code.UNAUTHENTICATED, () -> withApiKey(CallerRegistry.digestOf(EDGE_KEY)).validate(SOME_TOKEN));
    }

    @Test
    void healthStaysOpen() {
        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel(tls())).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void aCallerWithOnlyValidateCannotLogAnyoneInOrRevokeAnything() {
        SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub orders = orders();
        assertThat(orders.validate(SOME_TOKEN).getValid()).isFalse(); // identified by its SPIFFE id, allowed

        expectStatus(Status.Code.PERMISSION_DENIED, () -> orders.login(login("alice", PASSWORD, "")));
        expectStatus(Status.Code.PERMISSION_DENIED, () -> orders.revoke(RevokeRequest.newBuilder().setToken(SOME_TOKEN.getToken()).build()));
        expectStatus(Status.Code.PERMISSION_DENIED, () -> orders.createUser(CreateUserRequest.newBuilder().setUsername("x").setPassword(PASSWORD).build()));
        // Checked before anything is read or looked up: even a malformed request gets PERMISSION_DENIED.
        expectStatus(Status.Code.PERMISSION_DENIED, () -> orders.login(LoginRequest.getDefaultInstance()));
    }

    @Test
    void theEdgeLogsInAndOutButOnlyAdminsEndOthersSessions() {
        String userId = admin().createUser(CreateUserRequest.newBuilder().setUsername("bob").setPassword(PASSWORD).build()).getUserId();
        LoginResponse session = edge().login(login("bob", PASSWORD, "192.0.2.10"));
        assertThat(orders().validate(ValidateRequest.newBuilder().setToken(session.getToken()).build()).getValid()).isTrue();

        expectStatus(Status.Code.PERMISSION_DENIED, () -> edge().revoke(RevokeRequest.newBuilder().setSession(
                SessionRef.newBuilder().setUserId(userId).setSessionId(session.getSession().getSessionId())).build()));
        expectStatus(Status.Code.PERMISSION_DENIED, () -> edge().revoke(RevokeRequest.newBuilder()
                .setAllSessions(AllSessions.newBuilder().setUserId(userId)).build()));
        expectStatus(Status.Code.PERMISSION_DENIED, () -> edge().listSessions(ListSessionsRequest.newBuilder().setUserId(userId).build()));
        assertThat(admin().listSessions(ListSessionsRequest.newBuilder().setUserId(userId).build()).getSessionsCount()).isEqualTo(1);

        assertThat(edge().revoke(RevokeRequest.newBuilder().setToken(session.getToken()).build()).getRevokedCount()).isEqualTo(1);
        assertThat(orders().validate(ValidateRequest.newBuilder().setToken(session.getToken()).build()).getValid()).isFalse();
    }

    @Test
    void fortyWrongPasswordsAreThrottledWhileTheUserElsewhereLogsIn() throws Exception {
        admin().createUser(CreateUserRequest.newBuilder().setUsername("carol").setPassword(PASSWORD).build());
        String attacker = "198.51.100.66";
        int rejected = 0;
        int throttled = 0;
        StatusRuntimeException lastThrottle = null;
        for (int i = 0; i < 40; i++) {
            try {
                edge().login(login("carol", "guess-number-" + i, attacker));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
                    rejected++;
                } else {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    throttled++;
                    lastThrottle = e;
                }
            }
        }
        assertThat(rejected).isEqualTo(30);
        assertThat(throttled).isEqualTo(10);
        assertThat(errorInfo(lastThrottle).getReason()).isEqualTo("LOGIN_THROTTLED");
        assertThat(retryInfo(lastThrottle)).isPresent();
        // Even the right password is refused from the attacker's address while it is locked...
        expectStatus(Status.Code.RESOURCE_EXHAUSTED, () -> edge().login(login("carol", PASSWORD, attacker)));
        // ...but the real user, on another address, logs in.
        assertThat(edge().login(login("carol", PASSWORD, "203.0.113.5")).getToken()).startsWith("sat1_");

        // An unknown username locks out exactly alike: a lockout tells nothing about who exists.
        StatusRuntimeException ghost = null;
        for (int i = 0; i < 31; i++) {
            try {
                edge().login(login("no-such-user", "guess-" + i, "198.51.100.77"));
            } catch (StatusRuntimeException e) {
                ghost = e;
            }
        }
        assertThat(ghost.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(errorInfo(ghost).getReason()).isEqualTo("LOGIN_THROTTLED");

        // After the wait the lockout asked for, the right password works from the first address too.
        clock.advance(java.time.Duration.ofSeconds(retryInfo(lastThrottle).orElseThrow().getRetryDelay().getSeconds()).plusMillis(1));
        assertThat(edge().login(login("carol", PASSWORD, attacker)).getToken()).startsWith("sat1_");
    }

    @Test
    void theAuditLogTellsTheStoryWithoutASecret() {
        String userId = admin().createUser(CreateUserRequest.newBuilder().setUsername("dave").setPassword(PASSWORD).build()).getUserId();
        LoginResponse session = edge().login(login("dave", PASSWORD, "192.0.2.20"));
        expectStatus(Status.Code.UNAUTHENTICATED, () -> edge().login(login("dave", "wrong password", "192.0.2.20")));
        admin().changePassword(io.sessionauthority.v1.ChangePasswordRequest.newBuilder().setUserId(userId)
                .setCurrentPassword(PASSWORD).setNewPassword("a different passphrase").build());
        edge().revoke(RevokeRequest.newBuilder().setToken(session.getToken()).build());

        List<String> lines = auditLines.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.contains("dave") || line.contains(userId)).toList();
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("event=user.create caller=admin user_id=" + userId));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("event=login.success caller=edge user_id=" + userId)
                .contains("session_id=" + session.getSession().getSessionId()).contains("client_ip=192.0.2.20"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("event=login.failure caller=edge user_id=" + userId)
                .contains("reason=INVALID_CREDENTIALS"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("event=password.change caller=admin user_id=" + userId)
                .contains("revoked=1"));
        assertThat(auditLines.list.stream().map(ILoggingEvent::getFormattedMessage))
                .anySatisfy(line -> assertThat(line).startsWith("event=session.revoke caller=edge how=logout"))
                .allSatisfy(line -> assertThat(line)
                        .doesNotContain(session.getToken())
                        .doesNotContain(session.getToken().substring(27))
                        .doesNotContain(PASSWORD)
                        .doesNotContain("wrong password")
                        .doesNotContain("$2b$")
                        .doesNotContain(EDGE_KEY)
                        .doesNotContain("\n"));
    }

    /**
     * A client that finishes TLS and then never sends the HTTP/2 preface holds a connection only until
     * the handshake timeout (5 s by default); it once lived about a minute.
     */
    @Test
    void aTlsConnectionThatNeverSendsThePrefaceIsClosedAtTheHandshakeTimeout() throws Exception {
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory()
                .createSocket("127.0.0.1", service.server().getPort())) {
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
            socket.setSoTimeout(30_000);
            // The server's SETTINGS may come first; then the connection must end, well before 30 s.
            java.io.InputStream in = socket.getInputStream();
            boolean ended;
            try {
                while (in.read(new byte[1024]) >= 0) {
                    // the server's SETTINGS, and the GOAWAY it may send as it closes
                }
                ended = true;
            } catch (java.net.SocketTimeoutException stillOpen) {
                ended = false;
            } catch (java.io.IOException reset) {
                ended = true;
            }
            assertThat(ended).as("closed before 30 s without a preface").isTrue();
        }
    }
}
