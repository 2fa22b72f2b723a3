package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static io.sessionauthority.client.Expect.thrown;

import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.service.testing.TestCertificates;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The SDK over TLS and mutual TLS to an authority configured for production. */
@Tag("end-to-end")
class TlsClientTest {

    private static final String SPIFFE = "spiffe://example.org/ns/prod/sa/orders";
    private static final String EDGE_KEY = "edge-key-for-tls-tests-1";
    private static TestCertificates pki;
    private static RedisServerProcess redis;
    private static ServiceUnderTest authority;

    @BeforeAll
    static void start() {
        pki = TestCertificates.create();
        TestCertificates.Pair server = pki.server("authority");
        redis = RedisServerProcess.start();
        authority = ServiceUnderTest.start(redis.uri(), Map.of(
                "session-authority.tls.cert-chain", server.certificate().toString(),
                "session-authority.tls.private-key", server.privateKey().toString(),
                "session-authority.tls.client-ca", pki.caPem().toString(),
                "session-authority.security.caller-auth", "required",
                "session-authority.security.callers.edge.api-key-sha256", List.of(CallerRegistry.digestOf(EDGE_KEY)),
                "session-authority.security.callers.edge.permissions", List.of("login", "validate", "admin"),
                "session-authority.security.callers.orders.tls-identities", List.of(SPIFFE),
                "session-authority.security.callers.orders.permissions", List.of("validate")));
    }

    @AfterAll
    static void stop() {
        authority.close();
        redis.close();
    }

    @Test
    void tlsWithAnApiKeyAndMutualTlsWithACertificateBothWork() {
        TestCertificates.Pair orders = pki.client("orders", SPIFFE);
        try (SessionAuthorityClient edge = SessionAuthorityClient.builder("localhost:" + authority.port())
                     .tls(pki.caPem()).callCredentials(ApiKeyCredentials.of(EDGE_KEY)).deadline(Duration.ofSeconds(5)).build();
             SessionAuthorityClient mtls = SessionAuthorityClient.builder("localhost:" + authority.port())
                     .mutualTls(pki.caPem(), orders.certificate(), orders.privateKey())
                     .deadline(Duration.ofSeconds(5)).build();
             SessionAuthorityClient anonymous = SessionAuthorityClient.builder("localhost:" + authority.port())
                     .tls(pki.caPem()).deadline(Duration.ofSeconds(5)).build()) {
            edge.createUser("alice", "correct horse battery");
            LoginResult login = edge.login("alice", "correct horse battery", ClientInfo.none());

            assertThat(mtls.validate(login.token()).isValid()).isTrue();
            assertThat(thrown(PermissionDeniedException.class, () -> mtls.revokeToken(login.token())).reason())
                    .isEqualTo("PERMISSION_DENIED");
            // Refused credentials are a misconfiguration, not an outage: classified as such, never retried.
            MisconfiguredException unknown = thrown(MisconfiguredException.class, () -> anonymous.validate(login.token()));
            assertThat(unknown.reason()).isEqualTo("CALLER_UNAUTHENTICATED");
            assertThat(unknown.isRetryable()).isFalse();
        }
    }

    @Test
    void aPlaintextClientCannotTalkToATlsAuthority() {
        try (SessionAuthorityClient plaintext = SessionAuthorityClient.builder("localhost:" + authority.port())
                .plaintext().deadline(Duration.ofSeconds(2)).maxAttempts(1).build()) {
            assertThat(thrown(UnavailableException.class, () -> plaintext.validate("sat1_" + "A".repeat(64))).code())
                    .isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
        }
    }

    /** A CA that did not sign the authority's certificate: a misconfiguration, said as such, never an outage to retry. */
    @Test
    void aWrongCaIsAMisconfigurationNotAnOutage() {
        TestCertificates other = TestCertificates.create();
        try (SessionAuthorityClient wrongCa = SessionAuthorityClient.builder("localhost:" + authority.port())
                .tls(other.caPem()).apiKey(EDGE_KEY).deadline(Duration.ofSeconds(2)).build()) {
            MisconfiguredException refused = thrown(MisconfiguredException.class, () -> wrongCa.validate("sat1_" + "A".repeat(64)));
            assertThat(refused.reason()).isEqualTo("TLS_FAILED");
            assertThat(refused.isRetryable()).isFalse();
            assertThat(refused.getMessage()).contains("trusted CA");
            // At startup too: awaitReady says why it cannot connect.
            assertThat(thrown(MisconfiguredException.class, () -> wrongCa.awaitReady(Duration.ofSeconds(2))).reason()).isEqualTo("TLS_FAILED");
        }
    }

    /** PEM as a file, as text and as a stream: the same client. */
    @Test
    void pemComesFromAPathTextOrAStream() throws Exception {
        TestCertificates.Pair orders = pki.client("orders", SPIFFE);
        Pem caText = Pem.ofText(java.nio.file.Files.readString(pki.caPem()));
        Pem cert;
        try (var in = java.nio.file.Files.newInputStream(orders.certificate())) {
            cert = Pem.of(in);
        }
        try (SessionAuthorityClient client = SessionAuthorityClient.builder("localhost:" + authority.port())
                .mutualTls(caText, cert, Pem.of(orders.privateKey())).deadline(Duration.ofSeconds(5)).build()) {
            client.awaitReady(Duration.ofSeconds(10));
            assertThat(client.validate("sat1_" + "A".repeat(64)).reason()).isEqualTo(ValidationResult.Reason.UNKNOWN);
        }
        assertThat(Pem.of(orders.privateKey()).toString()).doesNotContain("PRIVATE KEY");
    }
}
