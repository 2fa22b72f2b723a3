package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.ClientMetadata;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Logins that neither a slow Redis nor an attacker can take from the real user (issue 23), each
 * through the real service. Every test here failed on the code before its fix, but the two stalls:
 * this harness could not make the earlier code count a stalled login late (its take-back always ran
 * after the count on the same connection), so they hold the outcome as a regression guard, and
 * {@code LoginThrottleIntegrationTest} shows the late count and its take-back at the store.
 */
@Tag("end-to-end")
class LoginFaultsEndToEndTest {

    /** Failure thresholds a test's flood never reaches: it is about load, not lockouts. */
    private static final Map<String, Object> NO_LOCKOUTS = Map.of(
            "session-authority.login-throttle.max-failures", 100_000,
            "session-authority.login-throttle.max-failures-per-user", 100_000,
            "session-authority.login-throttle.max-failures-per-user-per-day", 100_000);

    private static Map<String, Object> with(Map<String, Object> base, Map<String, Object> more) {
        Map<String, Object> all = new java.util.HashMap<>(base);
        all.putAll(more);
        return all;
    }

    private static LoginRequest login(String username, String address) {
        return LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD)
                .setClient(ClientMetadata.newBuilder().setIpAddress(address)).build();
    }

    /**
     * Forty correct-password logins from one address while the link to Redis is stalled all answer
     * UNAVAILABLE; the link then delivers what it held, and their counting scripts run late: none may
     * stand as a failure, and the next login from that address succeeds.
     */
    @Test
    void loginsThatTimedOutWhileTheLinkStalledLockNobodyOut() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             io.sessionauthority.service.testing.FaultyProxy link = io.sessionauthority.service.testing.FaultyProxy.to(redis.port());
             ServiceUnderTest service = ServiceUnderTest.start(link.uri(), Map.of())) {
            loginsDuringAStallLockNobodyOut(redis, service, link::stall, link::unstall);
        }
    }

    /**
     * The same with Redis itself frozen (SIGSTOP, as a fork, a VM pause or swapping freezes it): the
     * commands wait in its socket and run when it thaws, whatever the service did with the connection
     * meanwhile. A 10 s SIGSTOP was measured to leave {@code f=30} and a lock on the address, and every
     * correct login from it refused for a minute.
     */
    @Test
    void loginsThatTimedOutWhileRedisWasFrozenLockNobodyOut() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(redis.isProcess(), "freezing needs a redis-server process");
            try (ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of())) {
                loginsDuringAStallLockNobodyOut(redis, service, redis::pause, redis::resume);
            }
        }
    }

    private static void loginsDuringAStallLockNobodyOut(RedisServerProcess redis, ServiceUnderTest service, Runnable stall,
                                                        Runnable unstall) throws Exception {
        service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("nat-user").setPassword(PASSWORD).build());
        var async = SessionAuthorityServiceGrpc.newFutureStub(service.channel());
        stall.run();
        List<ListenableFuture<LoginResponse>> logins = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                logins.add(async.withDeadlineAfter(5, TimeUnit.SECONDS).login(login("nat-user", "198.51.100.40")));
            }
            for (ListenableFuture<LoginResponse> login : logins) {
                try {
                    login.get();
                } catch (ExecutionException failed) {
                    assertThat(Status.fromThrowable(failed.getCause()).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                }
            }
        } finally {
            unstall.run();
        }
        // The held counting scripts run now, and so do the take-backs behind them.
        String counter = "sa:throttle:ip:198.51.100.40";
        Await.until("the stalled attempts taken back", Duration.ofSeconds(30), () -> {
            String failures = redis.commands().hget(counter, "f");
            return failures == null || failures.equals("0");
        });
        assertThat(redis.commands().hget(counter, "lu")).as("no lock").isNull();
        // A correct login from that address is let in: once the service's connection is back, never throttled.
        var after = new java.util.concurrent.atomic.AtomicReference<LoginResponse>();
        Await.until("Redis answers the service again", Duration.ofSeconds(30), () -> {
            try {
                after.set(service.blocking().login(login("nat-user", "198.51.100.40")));
                return true;
            } catch (StatusRuntimeException unavailable) {
                assertThat(unavailable.getStatus().getCode()).as(unavailable.getStatus().toString()).isEqualTo(Status.Code.UNAVAILABLE);
                return false;
            }
        });
        assertThat(after.get().getToken()).startsWith("sat1_");
    }

    /**
     * With eighty bad-password logins in flight, the owner on a known device (a valid device token)
     * gets in every time: its hash waits in a lane of its own, before the guesses. It once waited
     * behind them, or was shed with them (0 of 11).
     */
    @Test
    void theOwnerOnAKnownDeviceGetsInWhileGuessesFloodTheHashingPool() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), with(NO_LOCKOUTS,
                     // The flood is about load, not quotas either.
                     Map.of("session-authority.quotas.log-writes-per-second", 100_000,
                             "session-authority.quotas.log-write-burst", 100_000)))) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("owner").setPassword(PASSWORD).build());
            String deviceToken = service.blocking().login(login("owner", "192.0.2.10")).getDeviceToken();
            var async = SessionAuthorityServiceGrpc.newFutureStub(service.channel());
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(80);
            Thread flood = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    inFlight.acquireUninterruptibly();
                    async.withDeadlineAfter(10, TimeUnit.SECONDS).login(LoginRequest.newBuilder().setUsername("guess" + (i % 50))
                                    .setPassword("wrong password " + i).setClient(ClientMetadata.newBuilder().setIpAddress("203.0.113." + (i % 200)))
                                    .build())
                            .addListener(inFlight::release, Runnable::run);
                }
            });
            flood.setDaemon(true);
            flood.start();
            try {
                Await.until("the hashing pool flooded", Duration.ofSeconds(20),
                        () -> service.bean(io.sessionauthority.service.user.HashingPool.class).queued() > 20);
                int succeeded = 0;
                for (int i = 0; i < 11; i++) {
                    LoginResponse owner = service.blocking().withDeadlineAfter(5, TimeUnit.SECONDS).login(LoginRequest.newBuilder()
                            .setUsername("owner").setPassword(PASSWORD).setDeviceToken(deviceToken)
                            .setClient(ClientMetadata.newBuilder().setIpAddress("192.0.2.10")).build());
                    succeeded += owner.getToken().startsWith("sat1_") ? 1 : 0;
                    deviceToken = owner.getDeviceToken();
                }
                assertThat(succeeded).isEqualTo(11);
            } finally {
                stop.set(true);
                flood.join(10_000);
            }
        }
    }

    /**
     * A login whose caller gave up (its deadline passed while its hash waited) is never hashed and
     * never creates a session: under CPU pressure the server once went on creating sessions for
     * callers long gone, and they counted towards the user's session cap.
     */
    @Test
    void aLoginWhoseCallerGaveUpCreatesNoSession() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), with(NO_LOCKOUTS,
                     Map.of("session-authority.passwords.hashing-threads", 1)))) {
            String userId = service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("patient").setPassword(PASSWORD)
                    .build()).getUserId();
            var async = SessionAuthorityServiceGrpc.newFutureStub(service.channel());
            // A queue of guesses ahead, then ten logins whose callers give up long before their turn.
            List<ListenableFuture<LoginResponse>> guesses = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                guesses.add(async.withDeadlineAfter(60, TimeUnit.SECONDS).login(LoginRequest.newBuilder().setUsername("someone" + i)
                        .setPassword("wrong password").build()));
            }
            List<ListenableFuture<LoginResponse>> impatient = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                impatient.add(async.withDeadlineAfter(100, TimeUnit.MILLISECONDS).login(login("patient", "192.0.2.20")));
            }
            for (ListenableFuture<LoginResponse> login : impatient) {
                try {
                    login.get();
                } catch (ExecutionException gaveUp) {
                    assertThat(Status.fromThrowable(gaveUp.getCause()).getCode()).isIn(Status.Code.DEADLINE_EXCEEDED,
                            Status.Code.RESOURCE_EXHAUSTED);
                }
            }
            for (ListenableFuture<LoginResponse> guess : guesses) {
                try {
                    guess.get();
                } catch (ExecutionException expected) {
                    // wrong password, or shed
                }
            }
            // Every queued job has run or been dropped by now: the impatient logins' sessions would exist.
            Await.until("the hashing queue drained", Duration.ofSeconds(30),
                    () -> service.bean(io.sessionauthority.service.user.HashingPool.class).queued() == 0);
            assertThat(service.blocking().listSessions(io.sessionauthority.v1.ListSessionsRequest.newBuilder().setUserId(userId).build())
                    .getSessionsList()).as("sessions created for callers that gave up").isEmpty();
        }
    }

    /**
     * Thirty failed guesses on random usernames from one carrier-grade NAT address once locked out an
     * unrelated user there who had the right password and no device token.
     */
    @Test
    void guessesBehindACarrierGradeNatLockNoNeighbourOut() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of())) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("neighbour").setPassword(PASSWORD).build());
            for (int i = 0; i < 30; i++) {
                int n = i;
                assertThat(failure(() -> service.blocking().login(LoginRequest.newBuilder().setUsername("random" + n)
                        .setPassword("guess").setClient(ClientMetadata.newBuilder().setIpAddress("100.64.7.1")).build()))
                        .getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            }
            assertThat(service.blocking().login(login("neighbour", "100.64.7.1")).getToken()).startsWith("sat1_");
        }
    }

    /**
     * A stolen device token stays a known device only until its owner's next login (plus a minute of
     * grace), and a revoke-all forgets every device but the one kept; a known device once stayed known
     * for 90 days whatever the owner did.
     */
    @Test
    void deviceTokensRotateAndARevokeAllForgetsTheDevicesNotKept() throws Exception {
        io.sessionauthority.service.testing.MutableClock clock = io.sessionauthority.service.testing.MutableClock.startingNow();
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of(), clock)) {
            String userId = service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("wendy").setPassword(PASSWORD)
                    .build()).getUserId();
            String stolen = service.blocking().login(login("wendy", "192.0.2.30")).getDeviceToken();
            String rotated = service.blocking().login(withDevice(login("wendy", "192.0.2.30"), stolen)).getDeviceToken();
            String phone = service.blocking().login(login("wendy", "192.0.2.31")).getDeviceToken();
            assertThat(rotated).isNotEqualTo(stolen).startsWith("sad1_");
            // A campaign locks the username for unknown devices.
            for (int i = 0; i < 100; i++) {
                int n = i;
                failure(() -> service.blocking().login(LoginRequest.newBuilder().setUsername("wendy").setPassword("guess " + n)
                        .setClient(ClientMetadata.newBuilder().setIpAddress("198.18.0." + (n % 10))).build()));
            }
            clock.advance(Duration.ofMinutes(2)); // past the rotation's grace
            assertThat(failure(() -> service.blocking().login(withDevice(login("wendy", "192.0.2.30"), stolen))).getStatus().getCode())
                    .as("the rotated-out token is a stranger").isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            service.blocking().revoke(io.sessionauthority.v1.RevokeRequest.newBuilder().setAllSessions(io.sessionauthority.v1.AllSessions
                    .newBuilder().setUserId(userId).setKeepDeviceToken(phone)).build());
            assertThat(failure(() -> service.blocking().login(withDevice(login("wendy", "192.0.2.30"), rotated))).getStatus().getCode())
                    .as("a device the revoke-all did not keep").isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(service.blocking().login(withDevice(login("wendy", "192.0.2.31"), phone)).getToken())
                    .as("the device kept").startsWith("sat1_");
        }
    }

    /** Look-alike names the hand-written table let through: invisible characters and Latin letters outside the identifier profile. */
    @Test
    void lookAlikeUsernamesAreRefusedAtSignUp() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of())) {
            for (String name : List.of("alice\uFE0F", "a\uFE00lice", "alic\uDB40\uDD00e", "al\u034Fice",
                    "p\u0251ypal", "paypa\u01C0", "\u0261oogle", "b\u1D0Fb")) {
                assertThat(failure(() -> service.blocking().createUser(CreateUserRequest.newBuilder().setUsername(name)
                        .setPassword(PASSWORD).build())).getStatus().getCode()).as(name).isEqualTo(Status.Code.INVALID_ARGUMENT);
            }
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("paypal").setPassword(PASSWORD).build());
            assertThat(failure(() -> service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("paypa1")
                    .setPassword(PASSWORD).build())).getStatus().getCode()).as("paypa1 after paypal").isEqualTo(Status.Code.ALREADY_EXISTS);
        }
    }

    private static LoginRequest withDevice(LoginRequest request, String deviceToken) {
        return request.toBuilder().setDeviceToken(deviceToken).build();
    }

    private static StatusRuntimeException failure(Runnable call) {
        try {
            call.run();
            throw new AssertionError("expected a failure");
        } catch (StatusRuntimeException e) {
            return e;
        }
    }
}
