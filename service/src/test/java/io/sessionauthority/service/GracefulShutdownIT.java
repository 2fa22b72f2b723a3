package io.sessionauthority.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import java.time.Duration;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar started by the container's entrypoint script ({@code docker/entrypoint.sh}),
 * exactly as the image runs it: it serves, and on SIGTERM it finishes the calls in flight and exits 0.
 */
@Tag("process")
class GracefulShutdownIT {

    private static final Path JAR = Path.of("target", "session-authority.jar");
    private static final Path ENTRYPOINT = Path.of("..", "docker", "entrypoint.sh");

    @Test
    void sigtermDrainsCallsInFlightAndExitsZero() throws Exception {
        assertThat(Files.isReadable(JAR)).isTrue();
        int port = RedisServerProcess.freePort();
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            ProcessBuilder builder = new ProcessBuilder("sh", ENTRYPOINT.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(new File("target/graceful-shutdown-it.log"));
            builder.environment().put("APP_JAR", JAR.toString());
            builder.environment().put("REDIS_URI", redis.uri());
            builder.environment().put("GRPC_SERVER_PORT", Integer.toString(port));
            int management = RedisServerProcess.freePort();
            builder.environment().put("MANAGEMENT_PORT", Integer.toString(management));
            // As in the image: a drain delay, during which load balancers must see "not ready".
            builder.environment().put("SHUTDOWN_DRAIN_DELAY", "2s");
            // One hashing thread: the logins then take a bcrypt round each in turn, so many are surely in flight at SIGTERM.
            builder.environment().put("JAVA_OPTS", "-Xmx256m -Dsession-authority.passwords.hashing-threads=1");
            Process service = builder.start();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                awaitServing(channel);
                SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub stub =
                        SessionAuthorityServiceGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
                stub.createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build())
                        .get(30, TimeUnit.SECONDS);

                // Logins take tens of milliseconds of bcrypt each, one at a time: many are in flight when SIGTERM lands.
                List<ListenableFuture<LoginResponse>> inFlight = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    inFlight.add(stub.login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build()));
                }
                // SIGTERM once the service is working through them: one answered, at least four still waiting.
                // (Polling the queue's metric missed the window: the port allows one scrape a second.)
                Await.until("the logins being worked through", Duration.ofSeconds(30),
                        () -> inFlight.stream().anyMatch(ListenableFuture::isDone)
                                && inFlight.stream().filter(login -> !login.isDone()).count() >= 4);
                assertThat(status(management, "/health/readiness")).isEqualTo(200);
                service.destroy(); // SIGTERM
                // Readiness says "not ready" from the first moment of the drain; liveness stays "alive".
                Await.until("HTTP readiness 503 once SIGTERM landed", Duration.ofSeconds(2), () -> status(management, "/health/readiness") == 503);
                assertThat(status(management, "/health/liveness")).isEqualTo(200);

                for (ListenableFuture<LoginResponse> login : inFlight) {
                    assertThat(login.get(30, TimeUnit.SECONDS).getToken()).startsWith("sat1_");
                }
                assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(service.exitValue()).isZero();
                assertThat(Files.readString(Path.of("target/graceful-shutdown-it.log")))
                        .contains("health reports NOT_SERVING").contains("Stopped gracefully");
            } finally {
                channel.shutdownNow();
                service.destroyForcibly();
            }
        }
    }

    private static void awaitServing(ManagedChannel channel) {
        Await.until("the service SERVING", Duration.ofSeconds(60), () -> {
            try {
                return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus() == HealthCheckResponse.ServingStatus.SERVING;
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    private static int status(int managementPort, String path) {
        try {
            return HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + managementPort + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException | InterruptedException e) {
            return -1;
        }
    }
}
