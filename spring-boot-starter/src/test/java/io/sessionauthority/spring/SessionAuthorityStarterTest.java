package io.sessionauthority.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sessionauthority.client.ClientInfo;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.testing.AuthorityProcesses;
import io.sessionauthority.v1.LoginRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A real Spring Boot application with the starter, against the authority running as its own
 * processes (redis-server and the service's jar). The first test is the application's first
 * request; the last one kills the authority.
 */
@Tag("process")
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionAuthorityStarterTest {

    private static final String USERNAME = "alice";
    private static final String PASSWORD = "correct horse battery staple";

    private static AuthorityProcesses authority;
    private static SessionAuthorityClient admin;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @LocalServerPort
    private int port;

    @Autowired
    private MeterRegistry meters;

    /** Started on first use: the context may read its properties before or after {@code @BeforeAll}. */
    private static synchronized AuthorityProcesses authority() {
        if (authority == null) {
            authority = AuthorityProcesses.start();
        }
        return authority;
    }

    @DynamicPropertySource
    static void authorityProperties(DynamicPropertyRegistry registry) {
        registry.add("session-authority.client.target", () -> authority().grpcTarget());
        registry.add("session-authority.client.plaintext", () -> "true");
        // Above the 250 ms default only to absorb a busy build machine: readiness at startup is what the first test checks.
        registry.add("session-authority.client.deadline", () -> "1s");
        registry.add("session-authority.client.authorities-attribute", () -> "roles");
    }

    @BeforeAll
    static void createUser() {
        admin = authority().newClient();
        AuthorityCalls.createUser(admin, USERNAME, PASSWORD);
    }

    @AfterAll
    static void stopAuthority() {
        if (admin != null) {
            admin.close();
        }
        if (authority != null) {
            authority.close();
        }
    }

    @Test
    @Order(1)
    void firstRequestAfterStartupIsServed() throws Exception {
        HttpResponse<String> response = get("/me", "Authorization", "Bearer " + login());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(USERNAME);
    }

    @Test
    @Order(2)
    void noTokenIsUnauthorizedWithABearerChallenge() throws Exception {
        HttpResponse<String> response = get("/me");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(response.body()).isEqualTo("{\"error\":\"unauthorized\"}");
        assertThat(response.headers().firstValue("Set-Cookie")).as("stateless: no HTTP session").isEmpty();
    }

    @Test
    @Order(3)
    void tokenInTheSessionCookieAuthenticates() throws Exception {
        HttpResponse<String> response = get("/me", "Cookie", "session_id=" + login());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(USERNAME);
    }

    @Test
    @Order(4)
    void revokedTokenIsUnauthorized() throws Exception {
        String token = login();
        assertThat(get("/me", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
        admin.revokeToken(token);

        HttpResponse<String> response = get("/me", "Authorization", "Bearer " + token);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
    }

    @Test
    @Order(5)
    void malformedTokenIsUnauthorized() throws Exception {
        HttpResponse<String> response = get("/me", "Authorization", "Bearer garbage");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @Test
    @Order(6)
    void publicEndpointNeedsNoToken() throws Exception {
        HttpResponse<String> response = get("/public/ping");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("pong");
    }

    @Test
    @Order(7)
    void validationsAreTimed() throws Exception {
        long before = validations();

        assertThat(get("/me", "Authorization", "Bearer " + login()).statusCode()).isEqualTo(200);

        // The SDK may report a call just after answering it: wait for the count rather than read it once.
        await("the validation counted in " + SessionAuthorityMetrics.CALLS).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).until(() -> validations() > before);
        assertThat(meters.find(SessionAuthorityMetrics.CALLS).tag("outcome", "ok").timers()).isNotEmpty();
        assertThat(meters.get(SessionAuthorityClientGauges.CONNECTION_READY).gauge().value()).as("connected").isEqualTo(1);
        assertThat(meters.get(SessionAuthorityClientGauges.REVOCATION_STREAM_HEALTHY).gauge().value()).as("no cache, no stream").isZero();
    }

    /** Last: the authority does not come back. */
    @Test
    @Order(100)
    void authorityOutageIsServiceUnavailableNeverUnauthorized() throws Exception {
        String token = login();
        authority().killService();

        HttpResponse<String> response = get("/me", "Authorization", "Bearer " + token);

        assertThat(meters.get(SessionAuthorityClientGauges.CONNECTION_READY).gauge().value()).as("disconnected").isZero();
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(response.body()).isEqualTo("{\"error\":\"unavailable\"}");

        // A public page does not need the session: it answers, with the token or without it.
        for (String[] header : new String[][] {{"Cookie", "session_id=" + token}, {"Authorization", "Bearer " + token}}) {
            HttpResponse<String> page = get("/public/ping", header);
            assertThat(page.statusCode()).as(header[0]).isEqualTo(200);
            assertThat(page.body()).isEqualTo("pong");
        }
    }

    /**
     * A cookie can be sent by a forged cross-site form, so a cookie-authenticated POST without a CSRF
     * token is refused — with 403, not with the 401 and Bearer challenge that would tell the client
     * its token is bad. A Bearer header cannot be forged across sites, so it needs no CSRF token.
     */
    @Test
    @Order(8)
    void aCookieAuthenticatedPostWithoutACsrfTokenIsForbiddenNotUnauthorized() throws Exception {
        String token = login();

        HttpResponse<String> refused = post("/me/greeting", "Cookie", "session_id=" + token);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(refused.body()).isEqualTo("{\"error\":\"forbidden\"}");

        HttpResponse<String> bearer = post("/me/greeting", "Authorization", "Bearer " + token);
        assertThat(bearer.statusCode()).isEqualTo(200);
        assertThat(bearer.body()).isEqualTo("hello " + USERNAME);
    }

    @Test
    @Order(9)
    void rolesComeFromTheConfiguredSessionAttribute() throws Exception {
        String admin = AuthorityCalls.retryingWhileUnavailable(() -> SessionAuthorityStarterTest.admin.login(LoginRequest.newBuilder()
                .setUsername(USERNAME).setPassword(PASSWORD).putAttributes("roles", "support, ADMIN").build())).token();

        assertThat(get("/admin/report", "Authorization", "Bearer " + admin).statusCode()).isEqualTo(200);
        HttpResponse<String> user = get("/admin/report", "Authorization", "Bearer " + login());
        assertThat(user.statusCode()).isEqualTo(403);
        assertThat(user.body()).isEqualTo("{\"error\":\"forbidden\"}");
    }

    @Test
    @Order(10)
    void probesReachActuatorHealthWithoutAToken() throws Exception {
        HttpResponse<String> health = get("/actuator/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
    }

    /** Its users are the authority's: Boot makes no in-memory user, and logs no generated password. */
    @Test
    @Order(11)
    void noGeneratedPassword(@Autowired ApplicationContext context) {
        assertThat(context.getBeanNamesForType(UserDetailsService.class)).isEmpty();
        assertThat(context.getBeansOfType(AuthenticationProvider.class).values())
                .singleElement().isInstanceOf(SessionAuthenticationProvider.class);
    }

    private long validations() {
        return meters.find(SessionAuthorityMetrics.CALLS).timers().stream().mapToLong(Timer::count).sum();
    }

    private static String login() {
        return AuthorityCalls.retryingWhileUnavailable(() -> admin.login(USERNAME, PASSWORD, ClientInfo.none())).token();
    }


    private HttpResponse<String> post(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .headers(headers);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
