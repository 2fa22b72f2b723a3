package io.sessionauthority.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.sessionauthority.client.ClientInfo;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.client.UnavailableException;
import io.sessionauthority.client.ValidationResult;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ContainerLaunchException;

/**
 * The module as a user's test uses it, on the image this build makes (docker/image.sh) and the
 * Redis image CI makes (SESSION_AUTHORITY_REDIS_IMAGE). These machines allow no bridge networks, so
 * it runs in host-network mode; the default (a network of its own, mapped ports) is not run here.
 * Skipped, with the reason, where no Docker engine or no images are at hand.
 */
@Tag("process")
class SessionAuthorityContainerTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String IMAGE = "session-authority:testcontainers";

    @BeforeAll
    static void buildTheImage() throws Exception {
        for (String variable : new String[] {"SESSION_AUTHORITY_REDIS_IMAGE", "SESSION_AUTHORITY_JDK_IMAGE", "SESSION_AUTHORITY_OS_IMAGE"}) {
            String value = System.getenv(variable);
            if (value == null || value.isBlank()) {
                System.out.println("SessionAuthorityContainerTest skipped: " + variable + " is not set (.ci/run sets it where a Docker engine runs)");
            }
            assumeThat(value).as(variable).isNotBlank();
        }
        Path log = Path.of("target", "image-build.log");
        Files.createDirectories(log.getParent());
        Process build = new ProcessBuilder(ROOT.resolve("docker/image.sh").toString(), IMAGE).directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(build.waitFor(15, TimeUnit.MINUTES)).isTrue();
        assertThat(build.exitValue()).as(Files.readString(log)).isZero();
    }

    @Test
    void startsAndHandsOutClientsThatLogInValidateAndRevoke() {
        String redisImage = System.getenv("SESSION_AUTHORITY_REDIS_IMAGE");
        // README:testcontainers:begin
        try (SessionAuthorityContainer authority = new SessionAuthorityContainer(IMAGE, redisImage).withHostNetwork()) {
            authority.start(); // returns once the authority's readiness says 200
            try (SessionAuthorityClient client = authority.client()) {
                client.createUser("alice", "correct horse battery staple");
                String token = client.login("alice", "correct horse battery staple", ClientInfo.none()).token();
                assertThat(client.validate(token).isValid()).isTrue();
                client.revokeToken(token);
                assertThat(client.validate(token).reason()).isEqualTo(ValidationResult.Reason.REVOKED);
            }
        }
        // README:testcontainers:end
    }

    @Test
    void isReadyWhenStartReturnsAndSaysSoWhenItsRedisIsGone() throws Exception {
        try (SessionAuthorityContainer authority = new SessionAuthorityContainer(IMAGE, System.getenv("SESSION_AUTHORITY_REDIS_IMAGE"))
                .withHostNetwork()) {
            authority.start();
            assertThat(readiness(authority)).as("readiness when start() returned").isEqualTo(200);

            authority.redis().getDockerClient().pauseContainerCmd(authority.redis().getContainerId()).exec();
            try (SessionAuthorityClient client = authority.client()) {
                assertThatThrownBy(() -> client.validate("sat1_" + "A".repeat(64))).isInstanceOf(UnavailableException.class);
            } finally {
                authority.redis().getDockerClient().unpauseContainerCmd(authority.redis().getContainerId()).exec();
            }
        }
    }

    /** An authority that cannot start fails start() at once, with its own reason, not after a timeout. */
    @Test
    void anAuthorityThatExitsAtStartFailsStartWithItsReason() {
        try (SessionAuthorityContainer authority = new SessionAuthorityContainer(IMAGE, System.getenv("SESSION_AUTHORITY_REDIS_IMAGE"))
                .withHostNetwork().withEnv("SESSION_AUTHORITY_EXT_AUTHZ_UNAVAILABLE_HTTP_STATUS", "418")) {
            // Its exit ends the wait (not the readiness wait's timeout), and its log says why.
            assertThatThrownBy(authority::start).isInstanceOf(ContainerLaunchException.class)
                    .hasStackTraceContaining("exited while starting").hasStackTraceContaining("unavailable-http-status must be one of")
                    .hasStackTraceContaining("was 418");
        }
    }

    private static int readiness(SessionAuthorityContainer authority) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(authority.managementUri().resolve("/health/readiness")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
