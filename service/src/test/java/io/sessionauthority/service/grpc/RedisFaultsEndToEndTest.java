package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static io.sessionauthority.service.grpc.ResilienceEndToEndTest.awaitRedisHealth;
import static io.sessionauthority.service.grpc.ResilienceEndToEndTest.health;
import static io.sessionauthority.service.testing.GrpcErrors.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse;
import io.sessionauthority.service.testing.FaultyProxy;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.ValidateResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Faults between the service and Redis beyond a process dying: a connection reset mid-command, a
 * long outage, added latency, a Redis that stops answering. Each time calls answer within their
 * deadline with UNAVAILABLE (the service's own, with its reason), nothing is half-written, and the
 * service comes back by itself within a second of Redis.
 */
@Tag("end-to-end")
class RedisFaultsEndToEndTest {

    /** What the service is asked to beat: the recovery bound of issue 14. */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(1);

    @Test
    void aConnectionResetMidCommandAnswersUnavailableNotInternal() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             FaultyProxy proxy = FaultyProxy.to(redis.port());
             ServiceUnderTest service = ServiceUnderTest.start(proxy.uri(), Map.of("redis.timeout", "5s"))) {
            LoginResponse login = service.signUpAndLogin("alice");

            proxy.stall();
            ListenableFuture<ValidateResponse> inFlight = service.future().withDeadlineAfter(10, TimeUnit.SECONDS)
                    .validate(validate(login.getToken()));
            Thread.sleep(300); // the command is written and waits for its reply
            proxy.resetConnections();
            proxy.unstall();

            StatusRuntimeException reset = failureOf(inFlight);
            assertThat(reset.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(errorInfo(reset).getReason()).isEqualTo("STORE_UNAVAILABLE");
            assertThat(recoveryTime(service, login.getToken())).isLessThanOrEqualTo(RECOVERY_BOUND);
        }
    }

    @Test
    void afterALongOutageCallsWorkWithinASecondOfRedisReturning() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always");
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            LoginResponse login = service.signUpAndLogin("bob");
            redis.kill();
            assertThat(awaitRedisHealth(service, HealthCheckResponse.ServingStatus.NOT_SERVING, Duration.ofSeconds(2))).isTrue();
            // Lettuce's own backoff had doubled to 8 s between attempts by now; the service's is capped.
            Thread.sleep(10_000);

            redis.restart(); // returns once Redis accepts connections
            Duration recovery = recoveryTime(service, login.getToken());
            System.out.printf("recovery after a 10 s outage: %d ms%n", recovery.toMillis());
            assertThat(recovery).isLessThanOrEqualTo(RECOVERY_BOUND);
            // Readiness stayed SERVING through the outage; Redis's own health comes back.
            assertThat(awaitRedisHealth(service, HealthCheckResponse.ServingStatus.SERVING, RECOVERY_BOUND)).isTrue();
        }
    }

    @Test
    void addedLatencyAnswersUnavailableWithinTheDeadlineAndHalfWritesNothing() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             FaultyProxy proxy = FaultyProxy.to(redis.port());
             ServiceUnderTest service = ServiceUnderTest.start(proxy.uri())) {
            LoginResponse login = service.signUpAndLogin("carol");

            proxy.delay(Duration.ofSeconds(2)); // four times redis.timeout (500 ms)
            long started = System.nanoTime();
            StatusRuntimeException slow = failureOf(service.future().withDeadlineAfter(3, TimeUnit.SECONDS)
                    .validate(validate(login.getToken())));
            assertThat(slow.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            StatusRuntimeException create = failureOf(service.future().withDeadlineAfter(3, TimeUnit.SECONDS)
                    .createUser(CreateUserRequest.newBuilder().setUsername("dave").setPassword(PASSWORD).build()));
            assertThat(create.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

            proxy.delay(Duration.ZERO);
            Thread.sleep(5_000); // let the delayed commands reach Redis: a timed-out write may still land
            // ... but a username is claimed only for a complete user: either "dave" exists whole (and
            // logs in), or the name is free and a retry creates it. (An unreachable user hash may be
            // left behind, by design: see RedisUserStore.)
            String userId = redis.commands().get("sa:username:dave");
            if (userId != null) {
                assertThat(redis.commands().hgetall("sa:{" + userId + "}:user")).containsKeys("un", "pw", "ct");
            } else {
                service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("dave").setPassword(PASSWORD).build());
            }
            assertThat(service.blocking().login(LoginRequest.newBuilder().setUsername("dave").setPassword(PASSWORD).build())
                    .getToken()).isNotEmpty();
            assertThat(recoveryTime(service, login.getToken())).isLessThanOrEqualTo(RECOVERY_BOUND);
        }
    }

    @Test
    void aStalledRedisAnswersUnavailableAndTheServiceRecoversByItself() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            assumeThat(redis.isProcess()).as("SIGSTOP needs a redis-server process").isTrue();
            LoginResponse login = service.signUpAndLogin("erin");

            redis.pause();
            try {
                long paused = System.nanoTime();
                // Issue 25's bound: health notices a stalled Redis within 1 s (interval 500 ms + ping timeout 300 ms).
                assertThat(awaitRedisHealth(service, HealthCheckResponse.ServingStatus.NOT_SERVING, Duration.ofSeconds(5))).isTrue();
                System.out.printf("health 'redis' NOT_SERVING %d ms after SIGSTOP%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - paused));
                assertThat(health(service, "")).as("a stall every replica shares keeps readiness").isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                long started = System.nanoTime();
                StatusRuntimeException stalled = failureOf(service.future().withDeadlineAfter(3, TimeUnit.SECONDS)
                        .validate(validate(login.getToken())));
                assertThat(stalled.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(errorInfo(stalled).getReason()).isEqualTo("STORE_UNAVAILABLE");
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            } finally {
                redis.resume();
            }
            assertThat(recoveryTime(service, login.getToken())).isLessThanOrEqualTo(RECOVERY_BOUND);
            assertThat(awaitRedisHealth(service, HealthCheckResponse.ServingStatus.SERVING, Duration.ofSeconds(3))).isTrue();
        }
    }

    private static ValidateRequest validate(String token) {
        return ValidateRequest.newBuilder().setToken(token).build();
    }

    private static StatusRuntimeException failureOf(ListenableFuture<?> call) throws InterruptedException {
        try {
            call.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (StatusRuntimeException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the call did not end", e);
        }
        throw new AssertionError("the call succeeded");
    }

    /** How long until a Validate of the token succeeds again, polling every 10 ms. */
    private static Duration recoveryTime(ServiceUnderTest service, String token) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (service.blocking().withDeadlineAfter(1, TimeUnit.SECONDS).validate(validate(token)).getValid()) {
                    return Duration.ofNanos(System.nanoTime() - started);
                }
            } catch (StatusRuntimeException stillDown) {
                assertThat(stillDown.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("calls did not recover within 30 s");
    }
}
