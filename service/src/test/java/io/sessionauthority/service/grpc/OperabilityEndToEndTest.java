package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.sessionauthority.service.management.ManagementServer;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The management port as an operator meets it: Prometheus metrics that move, liveness, readiness. */
@Tag("end-to-end")
class OperabilityEndToEndTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The status of {@code path}, or -1 when no answer came (a poll tries again). */
    private int statusOf(ManagementServer management, String path) {
        try {
            return get(management, path).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(ManagementServer management, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return socket.isConnected();
        } catch (java.io.IOException refused) {
            return false;
        }
    }

    @Test
    void theManagementPortOpensOnceGrpcListens() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (RedisServerProcess redis = RedisServerProcess.start();
             ApplicationContext context = ApplicationContext.run(Map.of("redis.uri", redis.uri(), "session-authority.management.port", port), "test")) {
            // As Micronaut.run does in production: the context first, then the gRPC server, which
            // opens the management port (readiness must never answer before a call can be made).
            GrpcEmbeddedServer grpc = context.getBean(GrpcEmbeddedServer.class);
            assertThat(grpc.isRunning()).isFalse();
            assertThat(accepts(port)).isFalse();
            grpc.start();
            assertThat(accepts(port)).isTrue();
            assertThat(context.getBean(ManagementServer.class).port()).isEqualTo(port);
        }
    }

    @Test
    void metricsMoveWithCallsAndReadinessFollowsRedis() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ApplicationContext context = ApplicationContext.run(Map.of("redis.uri", redis.uri(), "session-authority.health.interval", "30s",
                     // Each scrape here must show the calls just made: none reuses the previous one, and a
                     // poll for a failure count must not run into the one-scrape-a-second limit.
                     "session-authority.management.scrape-max-age", "0s",
                     "session-authority.management.scrapes-per-second-per-address", 10_000,
                     "session-authority.management.scrape-burst-per-address", 10_000), "test")) {
            ManagementServer management = context.getBean(ManagementServer.class);
            int grpcPort = context.getBean(GrpcEmbeddedServer.class).getPort();
            assertThat(grpcPort).isNotEqualTo(management.port());
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
            try {
                SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub stub =
                        SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                stub.createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
                LoginResponse login = stub.login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
                // Never validated, so never answered from the service's memory: it must ask Redis.
                LoginResponse cold = stub.login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
                for (int i = 0; i < 3; i++) {
                    stub.validate(ValidateRequest.newBuilder().setToken(login.getToken()).build());
                }
                try {
                    stub.login(LoginRequest.newBuilder().setUsername("alice").setPassword("wrong password").build());
                } catch (RuntimeException expected) {
                    // counted as bad_credentials
                }

                String metrics = get(management, "/prometheus").body();
                assertThat(metrics)
                        .contains("grpc_server_processing_duration_seconds_count{method=\"Validate\"")
                        .containsPattern("grpc_server_processing_duration_seconds_count\\{method=\"Validate\"[^}]*statusCode=\"OK\"[^}]*\\} 3")
                        .contains("grpc_server_processing_duration_seconds_bucket")
                        .contains("session_authority_logins_total{outcome=\"success\"} 2")
                        .contains("session_authority_logins_total{outcome=\"bad_credentials\"} 1")
                        .contains("session_authority_hashing_queue")
                        .contains("session_authority_hashing_wait_seconds_count")
                        .contains("session_authority_sessions_live_approx")
                        .contains("lettuce_command_completion_seconds");
                assertThat(metrics).doesNotContain(login.getToken());
                // What a sidecar pays per scrape: Lettuce's and Micrometer's histogram buckets once made it 2,852 series.
                assertThat(metrics.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).count())
                        .as("series in one scrape").isLessThanOrEqualTo(500);

                assertThat(get(management, "/health/liveness").statusCode()).isEqualTo(200);
                assertThat(get(management, "/health/readiness").statusCode()).isEqualTo(200);
                redis.kill();
                // UNAVAILABLE, and counted as a failed Redis command, on a loop connection (LoopConnections,
                // whose clients carry the same listener) or the shared one. Asked again until counted, so
                // the test does not depend on when Lettuce saw the close.
                java.util.regex.Pattern failed = java.util.regex.Pattern.compile(
                        "session_authority_redis_command_failures_total\\{command=\"(HGETALL|HMGET|EVALSHA)\"[^}]*\\} [1-9]");
                Await.until("a failed Redis command counted", Duration.ofSeconds(10), Duration.ofMillis(250), () -> {
                    try {
                        stub.validate(ValidateRequest.newBuilder().setToken(cold.getToken()).build());
                    } catch (RuntimeException expected) {
                        // UNAVAILABLE
                    }
                    try {
                        return failed.matcher(get(management, "/prometheus").body()).find();
                    } catch (Exception notYet) {
                        return false;
                    }
                });
                // The lost connection is checked at once, not at the next health interval (30 s here).
                // Polled every 100 ms: the port closes a connection that asks more than 20 times a second.
                Await.until("/health/redis reports the lost Redis", Duration.ofSeconds(5), Duration.ofMillis(100),
                        () -> statusOf(management, "/health/redis") == 503);
                System.gc(); // a gauge whose state is only weakly held reads NaN after a collection
                assertThat(get(management, "/prometheus").body()).contains("session_authority_redis_reachable 0.0")
                        .contains("session_authority_ready 1.0");
                // Redis down for every replica: this one stays in rotation (ServingStatus says why).
                assertThat(get(management, "/health/readiness").statusCode()).isEqualTo(200);
                assertThat(get(management, "/health/liveness").statusCode()).isEqualTo(200); // alive: restarting would not help
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
