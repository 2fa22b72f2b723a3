package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.sessionauthority.service.wiring.IoEventLoops;
import io.sessionauthority.service.store.LoopConnections;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.ValidateRequest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Calls run on the gRPC event loops, and Validate reads Redis on its loop's own connection: one
 * named connection per loop, which carries Validate's reads; none when switched off.
 */
@Tag("end-to-end")
class CallThreadsEndToEndTest {

    @Test
    void validateReadsRedisOnTheConnectionOfItsEventLoop() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            int loops = 0;
            for (var ignored : service.bean(IoEventLoops.class).group()) {
                loops++;
            }
            assertThat(loopClients(redis)).as("none before a Validate reads Redis").isEmpty();

            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("carol").setPassword(PASSWORD).build());
            LoginResponse login = service.blocking().login(LoginRequest.newBuilder().setUsername("carol").setPassword(PASSWORD).build());
            ValidateRequest fromRedis = ValidateRequest.newBuilder().setToken(login.getToken()).setSkipCache(true).build();
            // The first read on this connection's loop rides the shared connection and opens the loop's own.
            assertThat(service.blocking().validate(fromRedis).getValid()).isTrue();
            // Once the loop's connection is ready (Redis lists it from its TCP accept on, before the
            // client's handshake: a read made then still rides the shared one), the reads ride it.
            io.sessionauthority.service.testing.Await.until("Validate's read on a loop connection", java.time.Duration.ofSeconds(10),
                    () -> service.blocking().validate(fromRedis).getValid()
                            && loopClients(redis).stream().anyMatch(client -> client.contains(" cmd=hmget ")));
            List<String> clients = loopClients(redis);
            assertThat(clients).as("at most one per event loop").hasSizeLessThanOrEqualTo(loops);
            assertThat(clients).as("the loop connections carry neither writes nor scripts")
                    .noneMatch(client -> client.matches(".* cmd=(evalsha|eval|hset|set) .*"));
            assertThat(HealthGrpc.newBlockingStub(service.channel()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
    }

    @Test
    void withLoopConnectionsOffValidateReadsOnTheSharedConnection() throws InterruptedException {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.redis.loop-connections", false))) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("dave").setPassword(PASSWORD).build());
            LoginResponse login = service.blocking().login(LoginRequest.newBuilder().setUsername("dave").setPassword(PASSWORD).build());
            for (int i = 0; i < 3; i++) {
                assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(login.getToken()).setSkipCache(true)
                        .build()).getValid()).isTrue();
            }
            // The decision, not a wait for something not to happen: no loop may ever open a connection.
            assertThat(service.bean(LoopConnections.class).loopCount()).isZero();
            assertThat(service.bean(LoopConnections.class).size()).isZero();
            assertThat(loopClients(redis)).isEmpty();
        }
    }

    /** CLIENT LIST's lines for the loop connections. */
    private static List<String> loopClients(RedisServerProcess redis) {
        return Arrays.stream(redis.commands().clientList().split("\\R"))
                .filter(line -> line.contains(" name=" + LoopConnections.CLIENT_NAME + " "))
                .toList();
    }
}
