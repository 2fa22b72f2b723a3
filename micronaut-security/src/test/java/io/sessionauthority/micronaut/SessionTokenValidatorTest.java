package io.sessionauthority.micronaut;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.sessionauthority.client.LoginResult;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.testing.AuthorityProcesses;
import io.sessionauthority.v1.LoginRequest;
import jakarta.inject.Inject;
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
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real Micronaut application with Micronaut Security and this integration, against the authority
 * running as its own processes (redis-server and the service's jar). The last test kills the
 * authority.
 */
@Tag("process")
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionTokenValidatorTest implements TestPropertyProvider {

    private static final String PASSWORD = "correct horse battery staple";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private AuthorityProcesses authority;
    private SessionAuthorityClient admin;

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        authority = AuthorityProcesses.start();
        admin = authority.newClient();
        admin.createUser("alice", PASSWORD);
        return Map.of(
                "session-authority.client.target", authority.grpcTarget(),
                "session-authority.client.plaintext", "true",
                "session-authority.client.roles-attribute", "roles",
                "micronaut.security.authentication", "cookie",          // read the token from a cookie too
                "micronaut.security.token.cookie.cookie-name", "SESSION", // the cookie your edge or login page sets
                "session-authority.client.deadline", "2s"); // a busy build machine; the default is 250 ms
    }

    @AfterAll
    void stop() {
        admin.close();
        authority.close();
    }

    @Test
    @Order(1)
    void aLiveSessionsTokenAuthenticatesASecuredRoute() throws Exception {
        LoginResult login = login(Map.of());
        HttpResponse<String> response = get("/me", "Bearer " + login.token());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("alice " + login.session().userId());
    }

    @Test
    @Order(2)
    void noTokenARevokedOneOrGarbageIsUnauthorized() throws Exception {
        String token = login(Map.of()).token();
        admin.revokeToken(token);

        assertThat(get("/me", null).statusCode()).isEqualTo(401);
        assertThat(get("/me", "Bearer " + token).statusCode()).isEqualTo(401);
        assertThat(get("/me", "Bearer garbage").statusCode()).isEqualTo(401);
        assertThat(get("/public/ping", "Bearer " + token).body()).isEqualTo("pong");
    }

    @Test
    @Order(3)
    void rolesComeFromTheConfiguredSessionAttribute() throws Exception {
        assertThat(get("/admin/report", "Bearer " + login(Map.of("roles", "support, ADMIN")).token()).statusCode()).isEqualTo(200);
        assertThat(get("/admin/report", "Bearer " + login(Map.of()).token()).statusCode()).isEqualTo(403);
    }

    @Test
    @Order(4)
    void theTokenMayComeInTheConfiguredCookie() throws Exception {
        LoginResult login = login(Map.of());
        HttpResponse<String> response = send("/me", "Cookie", "theme=dark; SESSION=" + login.token());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("alice " + login.session().userId());

        admin.revokeToken(login.token());
        assertThat(send("/me", "Cookie", "SESSION=" + login.token()).statusCode()).isEqualTo(401);
        assertThat(send("/me", "Cookie", "OTHER=" + login(Map.of()).token()).statusCode()).isEqualTo(401);
    }

    /** Last: the authority does not come back. */
    @Test
    @Order(100)
    void anOutageIsServiceUnavailableOnSecuredRoutesAndSparesAnonymousOnes() throws Exception {
        String token = login(Map.of()).token();
        authority.killService();

        HttpResponse<String> secured = get("/me", "Bearer " + token);
        assertThat(secured.statusCode()).isEqualTo(503);
        assertThat(secured.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(secured.body()).isEqualTo("{\"error\":\"unavailable\"}");

        HttpResponse<String> open = get("/public/ping", "Bearer " + token);
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).isEqualTo("pong");
    }

    private LoginResult login(Map<String, String> attributes) {
        return admin.login(LoginRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).putAllAttributes(attributes).build());
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        return send(path, "Authorization", authorization);
    }

    private HttpResponse<String> send(String path, String header, String value) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
                .timeout(Duration.ofSeconds(10)).GET();
        if (value != null) {
            request.header(header, value);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
