package io.sessionauthority.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sessionauthority.client.ClientInfo;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.client.ValidationResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * The starter against an authority that rotates tokens once they are five seconds old: a request
 * with a due token is served, and the new token comes back the way the old one came.
 */
@Tag("process")
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TokenRotationStarterTest {

    private static final String USERNAME = "rotating";
    private static final String PASSWORD = "correct horse battery staple";

    private static final ProcessAuthority AUTHORITY = new ProcessAuthority(Map.of("session-authority.sessions.rotation-grace", "1s",
            "session-authority.sessions.rotate-after", "5s"));
    private static SessionAuthorityClient admin;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void authorityProperties(DynamicPropertyRegistry registry) {
        AUTHORITY.register(registry);
        registry.add("session-authority.client.rotate-bearer-tokens", () -> "true");
        registry.add("session-authority.client.rotated-cookie-attributes", () -> "Path=/app; Max-Age=43200; Secure; HttpOnly; SameSite=Strict");
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

    private static String dueToken() {
        String token = AuthorityCalls.retryingWhileUnavailable(() -> admin.login(USERNAME, PASSWORD, ClientInfo.none())).token();
        await("the token to be due").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> admin.validate(token).refreshDue());
        return token;
    }

    @Test
    void aBrowsersDueTokenComesBackAsASetCookie() throws Exception {
        String token = dueToken();
        HttpResponse<String> response = get("Cookie", "session_id=" + token);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(USERNAME);
        String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("session_id=sat2_").endsWith("; Path=/app; Max-Age=43200; Secure; HttpOnly; SameSite=Strict");
        String rotated = cookie.substring("session_id=".length(), cookie.indexOf(';'));
        ValidationResult current = admin.validate(rotated);
        assertThat(current.isValid()).isTrue();
        assertThat(current.refreshDue()).isFalse();
    }

    @Test
    void aBearerClientsDueTokenComesBackInAHeader() throws Exception {
        String token = dueToken();
        HttpResponse<String> response = get("Authorization", "Bearer " + token);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        String rotated = response.headers().firstValue("Session-Authority-Token").orElseThrow();
        assertThat(admin.validate(rotated).isValid()).isTrue();
    }


    private HttpResponse<String> get(String... headers) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/me"))
                .timeout(Duration.ofSeconds(10)).GET().headers(headers).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
