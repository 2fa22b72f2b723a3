package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static io.sessionauthority.service.grpc.ResilienceEndToEndTest.awaitRedisHealth;
import static io.sessionauthority.service.grpc.ResilienceEndToEndTest.health;
import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sessionauthority.service.session.HotSessions;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.FaultyProxy;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Readiness says what this replica can do that another could not (issue 25): a Redis outage every
 * replica shares keeps it in rotation, answering hot sessions from memory for the outage grace and
 * never one revoked before the outage; a replica whose own connection is dead while Redis answers a new one leaves.
 */
@Tag("end-to-end")
class ReadinessEndToEndTest {

    private static final String SERVICE = SessionAuthorityServiceGrpc.SERVICE_NAME;

    @Test
    void aSharedOutageKeepsTheReplicaInRotationAndHotSessionsAnsweredForTheGrace() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
            LoginResponse hot = login(service);
            LoginResponse revoked = login(service);
            assertThat(validate(service, revoked.getToken(), false)).isTrue();
            service.blocking().revoke(RevokeRequest.newBuilder().setToken(revoked.getToken()).build());
            // Held in the replica's memory, with every event of the log applied (the revoke's included):
            // what the outage grace needs. A Validate while the cache was still catching up is not kept.
            HotSessions memory = service.bean(HotSessions.class);
            Await.until("the hot session servable through an outage", Duration.ofSeconds(10), Duration.ofMillis(50),
                    () -> validate(service, hot.getToken(), false) && memory.whileUnreachable(hot.getSession().getSessionId()).isPresent());
            assertThat(health(service, "")).isEqualTo(ServingStatus.SERVING);

            // A caller's steady load of the hot token, counted over the grace's length from the kill.
            // Closed by try-with-resources even when an assertion fails: it would call on and on otherwise.
            try (ServiceUnderTest.SteadyLoad hotLoad = service.steadyHotLoad(hot.getToken())) {
                Await.until("the hot load running", Duration.ofSeconds(10), () -> hotLoad.answered() > 0);
                hotLoad.countFromNowFor(Duration.ofSeconds(5));
                redis.kill();
                long killed = System.nanoTime();
                assertThat(validate(service, hot.getToken(), false)).as("a hot session through the outage").isTrue();
                expectStatus(Status.Code.UNAVAILABLE, () -> validate(service, revoked.getToken(), false));
                expectStatus(Status.Code.UNAVAILABLE, () -> validate(service, hot.getToken(), true)); // skip_cache: Redis or nothing

                assertThat(awaitRedisHealth(service, ServingStatus.NOT_SERVING, Duration.ofSeconds(5))).isTrue();
                assertThat(health(service, "")).as("readiness through an outage every replica shares").isEqualTo(ServingStatus.SERVING);
                assertThat(health(service, SERVICE)).isEqualTo(ServingStatus.SERVING);

                // The grace (5 s by default) counts from the last read of the revocation log; then Redis or nothing.
                Await.until("hot sessions stop being answered once the grace is over", Duration.ofSeconds(20), Duration.ofMillis(200),
                        () -> statusOf(() -> validate(service, hot.getToken(), false)) == Status.Code.UNAVAILABLE);
                System.out.printf("hot session answered from memory until %d ms after Redis died%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                hotLoad.close();
                System.out.println("standalone outage, hot token in the first 5 s: " + hotLoad.windowSummary() + "; " + hotLoad.summary());
                assertThat(hotLoad.wrongAnswers()).as("never a wrong answer").isZero();
            }
            expectStatus(Status.Code.UNAVAILABLE, () -> validate(service, revoked.getToken(), false));
        }
    }

    @Test
    void aReplicaWhoseOwnConnectionIsDeadWhileRedisAnswersLeavesRotation() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             FaultyProxy proxy = FaultyProxy.to(redis.port());
             ServiceUnderTest service = ServiceUnderTest.start(proxy.uri(), Map.of("session-authority.health.interval", "200ms"))) {
            Await.until("SERVING", Duration.ofSeconds(10), () -> health(service, "") == ServingStatus.SERVING);

            proxy.stallOpenConnections(); // this replica's connections are dead; a new one is answered
            Await.until("readiness NOT_SERVING: its own connection is dead", Duration.ofSeconds(15),
                    () -> health(service, "") == ServingStatus.NOT_SERVING);
            assertThat(health(service, SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(health(service, "redis")).isEqualTo(ServingStatus.NOT_SERVING);

            proxy.unstall();
            Await.until("SERVING again once its connection answers", Duration.ofSeconds(15),
                    () -> health(service, "") == ServingStatus.SERVING && health(service, "redis") == ServingStatus.SERVING);
        }
    }

    @Test
    void anOutageBeforeTheServiceEverReachedRedisIsNotReady() throws InterruptedException {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            redis.kill();
            try (ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
                // Nothing held, nothing warm: a replica that never reached Redis is of no use to a caller.
                // Asked after a few health intervals (500 ms): not merely the state before the first check.
                Thread.sleep(1_500);
                assertThat(health(service, "")).isEqualTo(ServingStatus.NOT_SERVING);
                assertThat(health(service, "redis")).isEqualTo(ServingStatus.NOT_SERVING);
            }
        }
    }

    @Test
    void aReplicaReportsServingOnlyAfterWarmingUpThroughItsOwnPort() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.health.warm-up-calls", 200))) {
            Await.until("SERVING", Duration.ofSeconds(30), () -> health(service, "") == ServingStatus.SERVING);
            // The calls went through the real server: counted as any caller's are, before any caller came.
            double validates = service.bean(MeterRegistry.class).find("grpc.server.processing.duration").tag("method", "Validate")
                    .timers().stream().mapToDouble(Timer::count).sum();
            assertThat(validates).as("Validate calls of the warm-up").isGreaterThanOrEqualTo(150);
        }
    }

    private static LoginResponse login(ServiceUnderTest service) {
        return service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
    }

    private static boolean validate(ServiceUnderTest service, String token, boolean skipCache) {
        return service.blocking().withDeadlineAfter(5, TimeUnit.SECONDS)
                .validate(ValidateRequest.newBuilder().setToken(token).setSkipCache(skipCache).build()).getValid();
    }

    private static Status.Code statusOf(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }
}
