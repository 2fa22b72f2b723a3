package io.sessionauthority.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.sessionauthority.service.testing.RevocationSubscriber;
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

                // Ten cache clients' revocation streams: they live as long as their clients, so they must
                // not hold the shutdown (they once held it for the whole 20 s grace period).
                List<RevocationSubscriber> streams = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    RevocationSubscriber stream = RevocationSubscriber.watch(channel, "");
                    assertThat(stream.next(Duration.ofSeconds(10)).hasHeartbeat()).isTrue();
                    streams.add(stream);
                }

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
                long terminated = System.nanoTime();
                // Readiness says "not ready" from the first moment of the drain; liveness stays "alive".
                // Polled every 100 ms: the port closes a connection that asks more than 20 times a second.
                Await.until("HTTP readiness 503 once SIGTERM landed", Duration.ofSeconds(10), Duration.ofMillis(100),
                        () -> status(management, "/health/readiness") == 503);
                assertThat(status(management, "/health/liveness")).isEqualTo(200);
                // The streams end at once, before the drain delay is over, saying why: resume elsewhere.
                for (RevocationSubscriber stream : streams) {
                    Status ended = stream.awaitEnd(Duration.ofSeconds(30));
                    assertThat(ended).isNotNull();
                    assertThat(ended.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(ended.getDescription()).contains("shutting down");
                }
                long streamsEnded = System.nanoTime();

                for (ListenableFuture<LoginResponse> login : inFlight) {
                    assertThat(login.get(30, TimeUnit.SECONDS).getToken()).startsWith("sat1_");
                }
                assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
                System.out.printf("SIGTERM with 10 revocation streams and logins in flight: streams ended after %d ms, exit after %d ms"
                        + " (drain delay 2 s)%n", TimeUnit.NANOSECONDS.toMillis(streamsEnded - terminated),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated));
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
