package io.sessionauthority.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.client.ClientInfo;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.testing.AuthenticatorApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A route that needs AAL2 (SessionAssurance in TestApplication's chain): a password session gets
 * 401 with RFC 9470's step-up challenge, and after a second factor the same token passes.
 */
@Tag("process")
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StepUpStarterTest {

    private static final String USERNAME = "stepping";
    private static final String PASSWORD = "correct horse battery staple";

    private static final ProcessAuthority AUTHORITY = new ProcessAuthority(Map.of("session-authority.second-factor.keys",
            "k1:" + Base64.getEncoder().encodeToString(newKey()), "session-authority.second-factor.active-key", "k1"));
    private static SessionAuthorityClient admin;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @LocalServerPort
    private int port;

    private static byte[] newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    @DynamicPropertySource
    static void authorityProperties(DynamicPropertyRegistry registry) {
        AUTHORITY.register(registry);
    }

    @BeforeAll
    static void createUser() {
        admin = AUTHORITY.admin();
        AuthorityCalls.createUser(admin, USERNAME, PASSWORD);
    }

    @AfterAll
    static void stopAuthority() {
        AUTHORITY.close();
    }

    @Test
    void aRouteThatNeedsAal2AsksAPasswordSessionToStepUp() throws Exception {
        String token = AuthorityCalls.retryingWhileUnavailable(() -> admin.login(USERNAME, PASSWORD, ClientInfo.none())).token();
        assertThat(get("/me", token).statusCode()).as("an ordinary route").isEqualTo(200);

        HttpResponse<String> refused = get("/payments/limit", token);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(challenge -> assertThat(challenge)
                .contains("insufficient_user_authentication").contains("acr_values=\"aal2\"").contains("max_age=600"));
        assertThat(refused.body()).isEqualTo("{\"error\":\"step_up_required\"}");

        SessionAuthorityClient.TotpEnrolment enrolment = admin.enrollTotp(token, "Acme");
        AuthorityCalls.retryingWhileUnavailable(() -> admin.confirmTotp(token, AuthenticatorApp.code(enrolment.secret(), Instant.now())));
        HttpResponse<String> allowed = get("/payments/limit", token);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).isEqualTo("limit for " + USERNAME + " at aal2");
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
