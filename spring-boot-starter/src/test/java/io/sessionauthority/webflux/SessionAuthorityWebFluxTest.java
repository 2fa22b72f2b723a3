package io.sessionauthority.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.testing.AuthorityProcesses;
import io.sessionauthority.v1.LoginRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The reactive variant in a real WebFlux application (Netty), against the authority as processes:
 * the servlet variant's answers, the outage last.
 */
@Tag("process")
@SpringBootTest(classes = ReactiveTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=reactive")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionAuthorityWebFluxTest {

    private static final String PASSWORD = "correct horse battery staple";

    private static AuthorityProcesses authority;
    private static SessionAuthorityClient admin;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @LocalServerPort
    private int port;

    private static synchronized AuthorityProcesses authority() {
        if (authority == null) {
            authority = AuthorityProcesses.start();
            admin = authority.newClient();
            admin.createUser("alice", PASSWORD);
        }
        return authority;
    }

    @DynamicPropertySource
    static void authorityProperties(DynamicPropertyRegistry registry) {
        registry.add("session-authority.client.target", () -> authority().grpcTarget());
        registry.add("session-authority.client.plaintext", () -> "true");
        registry.add("session-authority.client.deadline", () -> "2s"); // a busy build machine
        registry.add("session-authority.client.authorities-attribute", () -> "roles");
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (authority != null) {
            authority.close();
        }
    }

    @Test
    @Order(1)
    void aLiveSessionAuthenticatesByHeaderOrCookie() throws Exception {
        String token = login(Map.of());

        assertThat(send("GET", "/me", "Authorization", "Bearer " + token).body()).isEqualTo("alice");
        HttpResponse<String> cookie = send("GET", "/me", "Cookie", "session_id=" + token);
        assertThat(cookie.statusCode()).isEqualTo(200);
        assertThat(cookie.headers().firstValue("Set-Cookie")).as("stateless").isEmpty();
    }

    @Test
    @Order(2)
    void noTokenOrARevokedOneIsUnauthorizedWithABearerChallenge() throws Exception {
        String token = login(Map.of());
        admin.revokeToken(token);

        HttpResponse<String> none = send("GET", "/me");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        HttpResponse<String> revoked = send("GET", "/me", "Authorization", "Bearer " + token);
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(revoked.headers().firstValue("WWW-Authenticate")).hasValue("Bearer error=\"invalid_token\"");
        assertThat(revoked.body()).isEqualTo("{\"error\":\"unauthorized\"}");
        assertThat(send("GET", "/public/ping", "Authorization", "Bearer " + token).body()).isEqualTo("pong");
    }

    @Test
    @Order(3)
    void aCookieAuthenticatedPostWithoutACsrfTokenIsForbiddenABearerOneIsNot() throws Exception {
        String token = login(Map.of());

        HttpResponse<String> refused = send("POST", "/me/greeting", "Cookie", "session_id=" + token);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(refused.body()).isEqualTo("{\"error\":\"forbidden\"}");
        assertThat(send("POST", "/me/greeting", "Authorization", "Bearer " + token).body()).isEqualTo("hello alice");
    }

    @Test
    @Order(4)
    void rolesComeFromTheConfiguredSessionAttribute() throws Exception {
        assertThat(send("GET", "/admin/report", "Authorization", "Bearer " + login(Map.of("roles", "ADMIN"))).statusCode()).isEqualTo(200);
        HttpResponse<String> user = send("GET", "/admin/report", "Authorization", "Bearer " + login(Map.of()));
        assertThat(user.statusCode()).isEqualTo(403);
        assertThat(user.body()).isEqualTo("{\"error\":\"forbidden\"}");
    }

    /** Last: the authority does not come back. */
    @Test
    @Order(100)
    void anOutageIsServiceUnavailableOnProtectedExchangesAndSparesPublicOnes() throws Exception {
        String token = login(Map.of());
        authority().killService();

        HttpResponse<String> protectedOne = send("GET", "/me", "Authorization", "Bearer " + token);
        assertThat(protectedOne.statusCode()).isEqualTo(503);
        assertThat(protectedOne.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(protectedOne.body()).isEqualTo("{\"error\":\"unavailable\"}");
        HttpResponse<String> publicOne = send("GET", "/public/ping", "Cookie", "session_id=" + token);
        assertThat(publicOne.statusCode()).isEqualTo(200);
        assertThat(publicOne.body()).isEqualTo("pong");
    }

    private static String login(Map<String, String> attributes) {
        return admin.login(LoginRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).putAllAttributes(attributes).build()).token();
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
