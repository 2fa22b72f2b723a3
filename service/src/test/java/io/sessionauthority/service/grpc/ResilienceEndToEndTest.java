package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static io.sessionauthority.service.testing.GrpcErrors.errorInfo;
import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static io.sessionauthority.service.testing.GrpcErrors.retryInfo;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.sessionauthority.service.testing.MutableClock;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.ListSessionsRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.Session;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.ValidateRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The service under failure: Redis going away and coming back, service restarts, a login flood. */
@Tag("end-to-end")
class ResilienceEndToEndTest {

    /** Asks Redis itself: these tests are about the store, which the hot-session cache would hide. */
    private static ValidateRequest validate(String token) {
        return ValidateRequest.newBuilder().setToken(token).setSkipCache(true).build();
    }

    @Test
    void restartingTheServiceLosesNoSession() {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            LoginResponse login;
            try (ServiceUnderTest first = ServiceUnderTest.start(redis.uri())) {
                login = first.signUpAndLogin("alice");
            }
            try (ServiceUnderTest second = ServiceUnderTest.start(redis.uri())) {
                assertThat(second.blocking().validate(validate(login.getToken())).getValid()).isTrue();
            }
        }
    }

    @Test
    void redisDownAnswersUnavailableFastAndTheServiceRecoversByItself() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always");
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            LoginResponse login = service.signUpAndLogin("bob");

            redis.kill();
            // UNAVAILABLE from the service itself (its ErrorInfo) within a 30 s deadline: it failed fast
            // rather than waiting (a wait would end in DEADLINE_EXCEEDED, without the service's reason).
            StatusRuntimeException down = expectStatus(Status.Code.UNAVAILABLE, () -> service.blocking()
                    .withDeadlineAfter(30, TimeUnit.SECONDS).validate(validate(login.getToken())));
            assertThat(errorInfo(down).getReason()).isEqualTo("STORE_UNAVAILABLE");
            expectStatus(Status.Code.UNAVAILABLE, () -> service.blocking().login(LoginRequest.newBuilder()
                    .setUsername("bob").setPassword(PASSWORD).build()));
            // The calls that replace a token fail as plainly: none hands out a token it could not store.
            StatusRuntimeException refresh = expectStatus(Status.Code.UNAVAILABLE, () -> service.blocking()
                    .refresh(io.sessionauthority.v1.RefreshRequest.newBuilder().setToken(login.getToken()).build()));
            assertThat(errorInfo(refresh).getReason()).isEqualTo("STORE_UNAVAILABLE");
            StatusRuntimeException stepUp = expectStatus(Status.Code.UNAVAILABLE, () -> service.blocking()
                    .stepUp(io.sessionauthority.v1.StepUpRequest.newBuilder().setToken(login.getToken()).setCode("123456").build()));
            assertThat(errorInfo(stepUp).getReason()).isEqualTo("STORE_UNAVAILABLE");

            assertThat(awaitRedisHealth(service, HealthCheckResponse.ServingStatus.NOT_SERVING, Duration.ofSeconds(10))).isTrue();
            // An outage every replica shares: taking this one out of rotation would help no caller.
            assertThat(health(service, "")).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

            redis.restart(); // the AOF brings the data back
            assertThat(awaitValid(service, login.getToken(), Duration.ofSeconds(20))).isTrue();
            assertThat(awaitRedisHealth(service, HealthCheckResponse.ServingStatus.SERVING, Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void redisOutOfMemoryAnswersUnavailableAndWritesNothingHalfway() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            LoginResponse login = service.signUpAndLogin("dave");
            redis.commands().configSet("maxmemory", "1"); // noeviction: every write is refused with OOM
            try {
                StatusRuntimeException full = expectStatus(Status.Code.UNAVAILABLE, () -> service.blocking().login(
                        LoginRequest.newBuilder().setUsername("dave").setPassword(PASSWORD).build()));
                assertThat(errorInfo(full).getReason()).isEqualTo("STORE_UNAVAILABLE");
                expectStatus(Status.Code.UNAVAILABLE, () -> service.blocking().createUser(
                        CreateUserRequest.newBuilder().setUsername("erin").setPassword(PASSWORD).build()));
                // Reads still work while Redis is full, and so does ending a session (it frees memory).
                assertThat(service.blocking().validate(validate(login.getToken())).getValid()).isTrue();
                assertThat(service.blocking().revoke(io.sessionauthority.v1.RevokeRequest.newBuilder()
                        .setToken(login.getToken()).build()).getRevokedCount()).isEqualTo(1);
            } finally {
                redis.commands().configSet("maxmemory", "0");
            }
            assertThat(redis.commands().keys("sa:username:*")).containsExactly("sa:username:dave");
            assertThat(redis.commands().keys("sa:{*}:s:*")).isEmpty();
        }
    }

    @Test
    void sessionsKeepSlidingWhileRedisIsFull() {
        MutableClock clock = MutableClock.startingNow();
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(),
                     Map.of("session-authority.sessions.idle-timeout", "10m"), clock)) {
            LoginResponse login = service.signUpAndLogin("frank");
            String sessionKey = redis.commands().keys("sa:{*}:s:*").get(0);
            long idleExpiryAtLogin = redis.commands().pexpiretime(sessionKey);

            redis.commands().configSet("maxmemory", "1"); // noeviction: every write that grows memory is refused
            try {
                clock.advance(Duration.ofMinutes(8));
                TouchResponse touched = service.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken()).build());
                assertThat(touched.getValid()).isTrue();
                long slid = clock.millis() + Duration.ofMinutes(10).toMillis();
                assertThat(redis.commands().pexpiretime(sessionKey)).isEqualTo(slid);
                assertThat(touched.getSession().getIdleExpireTime().getSeconds()).isEqualTo(slid / 1000);

                // Past the idle expiry the session had at login, within the one the Touch gave it.
                clock.advance(Duration.ofMinutes(5));
                assertThat(service.blocking().validate(validate(login.getToken())).getValid()).isTrue();
                assertThat(service.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken()).build()).getValid()).isTrue();

                // Attribute changes need memory: refused whole, retryable, and the session still slides later.
                StatusRuntimeException full = expectStatus(Status.Code.UNAVAILABLE, () -> service.blocking().touch(
                        TouchRequest.newBuilder().setToken(login.getToken()).putSetAttributes("theme", "dark").build()));
                assertThat(errorInfo(full).getReason()).isEqualTo("STORE_UNAVAILABLE");
                assertThat(redis.commands().hget(sessionKey, "a:theme")).isNull();
            } finally {
                redis.commands().configSet("maxmemory", "0");
            }
            assertThat(idleExpiryAtLogin).isLessThan(redis.commands().pexpiretime(sessionKey));
            // Listed after the incident, although its index entry still holds the expiry from before it.
            assertThat(service.blocking().listSessions(ListSessionsRequest.newBuilder().setUserId(login.getSession().getUserId()).build())
                    .getSessionsList()).extracting(Session::getSessionId).containsExactly(login.getSession().getSessionId());
            // After the incident the next Touch writes the fields again.
            clock.advance(Duration.ofMinutes(1));
            TouchResponse after = service.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken())
                    .putSetAttributes("theme", "dark").build());
            assertThat(after.getSession().getAttributesMap()).containsEntry("theme", "dark");
            assertThat(redis.commands().hget(sessionKey, "ix")).isEqualTo(Long.toString(clock.millis() + Duration.ofMinutes(10).toMillis()));
        }
    }

    @Test
    void aLoginFloodIsShedWithRetryInfoInsteadOfQueueingWithoutBound() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of(
                     "session-authority.passwords.hashing-threads", 1,
                     "session-authority.passwords.hashing-queue", 1))) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("carol").setPassword(PASSWORD).build());
            SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub async = service.future();
            List<ListenableFuture<LoginResponse>> logins = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                logins.add(async.login(LoginRequest.newBuilder().setUsername("carol").setPassword(PASSWORD).build()));
            }
            int ok = 0;
            int shed = 0;
            for (ListenableFuture<LoginResponse> login : logins) {
                try {
                    login.get(30, TimeUnit.SECONDS);
                    ok++;
                } catch (ExecutionException e) {
                    StatusRuntimeException error = (StatusRuntimeException) e.getCause();
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(retryInfo(error)).isPresent();
                    assertThat(errorInfo(error).getReason()).isEqualTo("PASSWORD_HASHING_BUSY");
                    shed++;
                }
            }
            assertThat(ok).isPositive();
            assertThat(shed).isPositive();
            assertThat(ok + shed).isEqualTo(20);
        }
    }

    /** Waits until the health service name "redis" (whether this replica reaches Redis) reports {@code wanted}. */
    static boolean awaitRedisHealth(ServiceUnderTest service, HealthCheckResponse.ServingStatus wanted, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (health(service, "redis") == wanted) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** What gRPC health reports for {@code name} now ("" is readiness). */
    static HealthCheckResponse.ServingStatus health(ServiceUnderTest service, String name) {
        try {
            return HealthGrpc.newBlockingStub(service.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(name).build()).getStatus();
        } catch (io.grpc.StatusRuntimeException noAnswer) {
            return HealthCheckResponse.ServingStatus.UNKNOWN; // a busy machine: the caller polls or asserts on it
        }
    }

    /** Waits until readiness ("" and the service's own name) reports {@code wanted}. */
    static boolean awaitHealth(ServiceUnderTest service, HealthCheckResponse.ServingStatus wanted, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            for (String name : new String[] {"", "sessionauthority.v1.SessionAuthorityService"}) {
                HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(service.channel())
                        .withDeadlineAfter(1, TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder().setService(name).build()).getStatus();
                if (status != wanted) {
                    break;
                }
                if (!name.isEmpty()) {
                    return true;
                }
            }
            Thread.sleep(100);
        }
        return false;
    }

    static boolean awaitValid(ServiceUnderTest service, String token, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (service.blocking().withDeadlineAfter(1, TimeUnit.SECONDS).validate(validate(token)).getValid()) {
                    return true;
                }
            } catch (StatusRuntimeException stillDown) {
                assertThat(stillDown.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
            }
            Thread.sleep(100);
        }
        return false;
    }
}
