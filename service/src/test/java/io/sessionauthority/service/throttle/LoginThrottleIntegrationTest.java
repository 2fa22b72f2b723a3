package io.sessionauthority.service.throttle;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.OverloadedException;
import io.sessionauthority.service.error.ThrottledException;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.store.RedisThrottleStore;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.user.User;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Brute-force protection against a real Redis, with a clock the test moves. */
@Tag("redis")
class LoginThrottleIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();
    private DomainFixture domain;
    private User alice;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        // Counting is the subject, and some tests check hundreds of passwords: the cheapest bcrypt.
        domain = new DomainFixture(REDIS.uri(), DomainFixture.DEFAULT_SESSIONS, 4);
        alice = domain.createUser("alice");
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    private Throwable loginFailure(String username, String password, String ip) {
        return loginFailure(username, password, ip, "");
    }

    private Throwable loginFailure(String username, String password, String ip, String deviceToken) {
        try {
            join(domain.sessions.login(username, password, new ClientInfo(ip, "", ""), Map.of(), deviceToken));
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (InvalidArgumentException refusedBeforeAnyWork) {
            return refusedBeforeAnyWork;
        }
    }

    private SessionService.Started login(String username, String password, String ip, String deviceToken) {
        return join(domain.sessions.login(username, password, new ClientInfo(ip, "", ""), Map.of(), deviceToken));
    }

    private Throwable changePasswordFailure(String current, String ip) {
        try {
            join(domain.users.changePassword(alice.id(), current, "a new passphrase", "", ip, ""));
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void aBurstOfConcurrentGuessesGetsNoMoreTriesThanTheThreshold() {
        List<CompletableFuture<?>> guesses = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            guesses.add(domain.sessions.login("alice", "guess-" + i, new ClientInfo("198.51.100.9", "", ""), Map.of(), "")
                    .toCompletableFuture());
        }
        int wrongPassword = 0;
        int refused = 0;
        for (CompletableFuture<?> guess : guesses) {
            try {
                guess.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof InvalidCredentialsException) {
                    wrongPassword++;
                } else if (e.getCause() instanceof ThrottledException || e.getCause() instanceof OverloadedException) {
                    refused++;
                }
            }
        }
        assertThat(wrongPassword).isLessThanOrEqualTo(30);
        assertThat(wrongPassword + refused).isEqualTo(60);
    }

    @Test
    void lockoutsGrowByAStepPerFailureUpToTheMaximumAndEnd() {
        for (int i = 0; i < 30; i++) {
            assertThat(loginFailure("alice", "wrong", "192.0.2.1")).isInstanceOf(InvalidCredentialsException.class);
        }
        ThrottledException first = (ThrottledException) loginFailure("alice", "wrong", "192.0.2.1");
        assertThat(first.retryAfter()).isEqualTo(Duration.ofSeconds(60));
        domain.clock.advance(Duration.ofSeconds(61));
        assertThat(loginFailure("alice", "wrong", "192.0.2.1")).isInstanceOf(InvalidCredentialsException.class);
        ThrottledException second = (ThrottledException) loginFailure("alice", "wrong", "192.0.2.1");
        assertThat(second.retryAfter()).isEqualTo(Duration.ofSeconds(120));
        domain.clock.advance(Duration.ofSeconds(121));
        assertThat(loginFailure("alice", "password-alice", "192.0.2.1")).isNull();
    }

    @Test
    void aSuccessClearsTheUsernameButNotTheAddress() {
        for (int i = 0; i < 29; i++) {
            loginFailure("mallory-target-" + i, "wrong", "192.0.2.50");
        }
        assertThat(loginFailure("alice", "password-alice", "192.0.2.50")).isNull(); // the attacker's own account
        assertThat(loginFailure("bob", "wrong", "192.0.2.50")).isInstanceOf(InvalidCredentialsException.class);
        assertThat(loginFailure("carol", "wrong", "192.0.2.50")).isInstanceOf(ThrottledException.class);
    }

    @Test
    void spellingsOfOneAddressShareOneCounter() {
        for (int i = 0; i < 15; i++) {
            loginFailure("alice", "wrong", "::1");
            loginFailure("alice", "wrong", "0:0:0:0:0:0:0:1");
        }
        assertThat(loginFailure("alice", "wrong", "0000::0001")).isInstanceOf(ThrottledException.class);
    }

    @Test
    void anIpv4HostHidingInIpv6FormsIsOneCounter() {
        // The same IPv4 host, spelt six ways an edge or a NAT64/6to4/Teredo path may hand it over.
        List<String> spellings = List.of("203.0.113.9", "::ffff:203.0.113.9", "::203.0.113.9", "64:ff9b::203.0.113.9",
                "2002:cb00:7109::1", "2001:0:4136:e378:8000:63bf:34ff:8ef6");
        for (int i = 0; i < 30; i++) {
            loginFailure("target-" + i, "wrong", spellings.get(i % spellings.size()));
        }
        for (String spelling : spellings) {
            assertThat(loginFailure("alice", "password-alice", spelling)).as(spelling).isInstanceOf(ThrottledException.class);
        }
    }

    @Test
    void malformedAddressesAreRefusedAndCountNothing() {
        for (String malformed : List.of("203.0.113.9:80", "1.2.3.4:", "1::2::3", ":::", "[::1]", "fe80::1%eth0", "01.2.3.4")) {
            for (int i = 0; i < 31; i++) {
                assertThat(loginFailure("alice", "wrong", malformed)).as(malformed).isInstanceOf(InvalidArgumentException.class);
            }
        }
        assertThat(loginFailure("alice", "password-alice", "203.0.113.9")).isNull();
    }

    @Test
    void failuresThatAreNotWrongPasswordsAreNotCounted() {
        for (int i = 0; i < 40; i++) {
            assertThat(loginFailure("alice", "", "192.0.2.77")).isInstanceOf(InvalidArgumentException.class);
        }
        assertThat(loginFailure("alice", "password-alice", "192.0.2.77")).isNull();
    }

    /**
     * The reported attack: 100 wrong guesses spread over 10 addresses (under the per-address bar)
     * lock the username for unknown devices, and one guess a minute would keep it so. The real user
     * on the device they used before keeps logging in throughout, from any address.
     */
    @Test
    void aDistributedGuessingCampaignCannotLockTheOwnerOutOfTheirDevice() {
        String device = login("alice", "password-alice", "198.51.100.20", "").deviceToken();
        assertThat(device).startsWith(DeviceTokens.PREFIX);

        for (int i = 0; i < 100; i++) {
            loginFailure("alice", "guess-" + i, "203.0.113." + (i % 10));
        }
        // An unknown device, even from a fresh address, is locked out with the username: the attacker gains nothing.
        assertThat(loginFailure("alice", "password-alice", "192.0.2.200")).isInstanceOf(ThrottledException.class);
        // The owner's device is not, from anywhere, and gets a new token (the old one is rotated out).
        SessionService.Started owner = login("alice", "password-alice", "192.0.2.201", device);
        assertThat(owner.deviceToken()).isNotEqualTo(device).startsWith(DeviceTokens.PREFIX);
        device = owner.deviceToken();

        // The campaign goes on at a guess a minute for an hour; the owner logs in every ten minutes.
        for (int minute = 0; minute < 60; minute++) {
            domain.clock.advance(Duration.ofMinutes(1));
            loginFailure("alice", "slow-guess-" + minute, "203.0.113." + (minute % 10));
            if (minute % 10 == 9) {
                SessionService.Started again = login("alice", "password-alice", "192.0.2.201", device);
                assertThat(again.session().userId()).isEqualTo(alice.id());
                device = again.deviceToken();
            }
        }
    }

    @Test
    void aDeviceTokenBuysAnAttackerNoBudget() {
        domain.createUser("mallory");
        String mallorysOwnDevice = login("mallory", "password-mallory", "203.0.113.1", "").deviceToken();
        String forged = new DeviceTokens(new SecureRandom()).issue(alice.id()).token(); // well formed, never issued
        for (int i = 0; i < 100; i++) {
            String token = i % 2 == 0 ? mallorysOwnDevice : forged;
            loginFailure("alice", "guess-" + i, "203.0.113." + (i % 10), token);
        }
        // Neither token was a known device of alice's: every guess counted on the username, which is now locked.
        assertThat(loginFailure("alice", "password-alice", "192.0.2.9", forged)).isInstanceOf(ThrottledException.class);
        assertThat(loginFailure("alice", "password-alice", "192.0.2.9", mallorysOwnDevice)).isInstanceOf(ThrottledException.class);
    }

    @Test
    void aKnownDeviceHasABudgetOfItsOwn() {
        String device = login("alice", "password-alice", "198.51.100.20", "").deviceToken();
        for (int i = 0; i < 10; i++) {
            assertThat(loginFailure("alice", "wrong-" + i, "198.51.100.20", device)).isInstanceOf(InvalidCredentialsException.class);
        }
        // Stolen with the laptop, the token gets ten guesses, not more...
        assertThat(loginFailure("alice", "password-alice", "198.51.100.20", device)).isInstanceOf(ThrottledException.class);
        // ...and those guesses never touched the username's counters.
        assertThat(loginFailure("alice", "password-alice", "198.51.100.21", "")).isNull();
    }

    /**
     * An attempt whose caller heard UNAVAILABLE (Redis stalled past its timeout) while its counting
     * script still ran, late: here the store counts for real and then reports the timeout, as Redis
     * resuming after a stall does. Forty such attempts once stood as failures and locked the
     * address; each is now taken back by its id, whatever order the take-back and the count arrive in.
     */
    @Test
    void attemptsWhoseCallersHeardUnavailableNeverStandAsFailures() {
        RedisThrottleStore real = new RedisThrottleStore(REDIS.commands().getStatefulConnection().async());
        ThrottleStore lateRedis = new ThrottleStore() {
            @Override
            public java.util.concurrent.CompletionStage<Duration> attempt(List<Counter> counters, java.time.Instant now, String attemptId) {
                return real.attempt(counters, now, attemptId).thenCompose(counted -> CompletableFuture.failedFuture(
                        new io.sessionauthority.service.error.StoreUnavailableException("EVALSHA. Command timed out after 500 millisecond(s)",
                                null)));
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> undo(List<Counter> counters, String attemptId) {
                return real.undo(counters, attemptId);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> confirm(List<Counter> counters, String attemptId) {
                return real.confirm(counters, attemptId);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> reset(List<Counter> counters) {
                return real.reset(counters);
            }

            @Override
            public java.util.concurrent.CompletionStage<Boolean> knowsDevice(String username, String userId, String deviceId,
                                                                           java.time.Instant now) {
                return real.knowsDevice(username, userId, deviceId, now);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> rememberDevice(String userId, String deviceId, java.time.Instant expiresAt,
                                                                           int maxDevices, java.time.Instant now, String replacedDeviceId,
                                                                           java.time.Instant replacedUntil) {
                return real.rememberDevice(userId, deviceId, expiresAt, maxDevices, now, replacedDeviceId, replacedUntil);
            }
        };
        java.util.concurrent.ScheduledExecutorService retries = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            LoginThrottle stalled = new LoginThrottle(lateRedis, DomainFixture.DEFAULT_THROTTLE, new DeviceTokens(new SecureRandom()),
                    domain.clock, retries);
            for (int i = 0; i < 40; i++) {
                Throwable failure = catchFailure(() -> join(stalled.guard(new LoginThrottle.Attempt("alice", "198.51.100.40",
                        java.util.Optional.empty()), admission -> CompletableFuture.completedFuture("checked"))));
                assertThat(failure).isInstanceOf(io.sessionauthority.service.error.StoreUnavailableException.class);
            }
            io.sessionauthority.service.testing.Await.until("every stalled attempt taken back", Duration.ofSeconds(10),
                    () -> REDIS.commands().keys("sa:throttle:*").isEmpty());
            assertThat(loginFailure("alice", "password-alice", "198.51.100.40")).as("no lock on the address").isNull();
        } finally {
            retries.shutdownNow();
        }
    }

    private static Throwable catchFailure(Runnable call) {
        try {
            call.run();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    /** Locks the username for unknown devices: 100 wrong guesses from ten addresses. */
    private void lockTheUsernameForUnknownDevices() {
        for (int i = 0; i < 100; i++) {
            loginFailure("alice", "guess-" + i, "203.0.113." + (i % 10));
        }
        assertThat(loginFailure("alice", "password-alice", "192.0.2.200")).isInstanceOf(ThrottledException.class);
    }

    @Test
    void aDeviceTokenIsRotatedAtEachLoginAndTheOldOneStaysKnownOnlyBriefly() {
        String first = login("alice", "password-alice", "198.51.100.20", "").deviceToken();
        String second = login("alice", "password-alice", "198.51.100.20", first).deviceToken();
        assertThat(second).isNotEqualTo(first);
        lockTheUsernameForUnknownDevices();
        // Within the grace a request racing the rotation still counts as the known device...
        domain.clock.advance(Duration.ofSeconds(30));
        assertThat(loginFailure("alice", "password-alice", "198.51.100.20", first)).isNull();
        // ...after it, a stolen copy of the old token is a stranger, locked out with the username.
        domain.clock.advance(Duration.ofSeconds(31));
        assertThat(loginFailure("alice", "password-alice", "198.51.100.20", first)).isInstanceOf(ThrottledException.class);
        assertThat(loginFailure("alice", "password-alice", "198.51.100.20", second)).isNull();
    }

    @Test
    void aPasswordChangeForgetsEveryDeviceButTheOneItIsMadeFrom() {
        String laptop = login("alice", "password-alice", "198.51.100.20", "").deviceToken();
        String phone = login("alice", "password-alice", "198.51.100.21", "").deviceToken();
        join(domain.users.changePassword(alice.id(), "password-alice", "password-alice-2", "", "198.51.100.20", laptop));
        lockTheUsernameForUnknownDevices();
        assertThat(loginFailure("alice", "password-alice-2", "198.51.100.20", laptop)).as("the device it was made from").isNull();
        assertThat(loginFailure("alice", "password-alice-2", "198.51.100.21", phone)).as("another device, a stranger now")
                .isInstanceOf(ThrottledException.class);
    }

    @Test
    void aRevokeAllForgetsEveryDeviceButTheOneToKeep() {
        String laptop = login("alice", "password-alice", "198.51.100.20", "").deviceToken();
        String phone = login("alice", "password-alice", "198.51.100.21", "").deviceToken();
        join(domain.sessions.revokeAll(alice.id(), "", phone));
        lockTheUsernameForUnknownDevices();
        assertThat(loginFailure("alice", "password-alice", "198.51.100.21", phone)).as("the device kept").isNull();
        assertThat(loginFailure("alice", "password-alice", "198.51.100.20", laptop)).isInstanceOf(ThrottledException.class);
    }

    /**
     * NIST SP 800-63B allows at most 100 consecutive failures per account: guessing just under the
     * 15-minute threshold from many addresses, waiting out each window, once gave ~9,500 guesses a
     * day. A day's counter stops it at 100, and neither a lock's end nor the owner's success from an
     * unknown device starts it over; the owner's known device is never locked.
     */
    @Test
    void anAccountGetsAtMost100GuessesADayFromUnknownDevices() {
        String device = login("alice", "password-alice", "198.51.100.20", "").deviceToken();
        int admitted = 0;
        for (int round = 0; round < 8; round++) {
            for (int i = 0; i < 99 && admitted < 1_000; i++) {
                Throwable failure = loginFailure("alice", "guess-" + round + "-" + i, "203.0.113." + (i % 40));
                if (failure instanceof InvalidCredentialsException) {
                    admitted++;
                }
            }
            // The owner logs in from a new laptop between rounds (before: that success started the count over).
            loginFailure("alice", "password-alice", "192.0.2." + round);
            domain.clock.advance(Duration.ofMinutes(16)); // past every 15-minute window and lock
        }
        assertThat(admitted).as("guesses checked in about two hours").isLessThanOrEqualTo(100);
        SessionService.Started owner = login("alice", "password-alice", "198.51.100.20", device);
        assertThat(owner.session().userId()).as("the owner's known device").isEqualTo(alice.id());
        // Redis forgets the day's counter, lock and all, a day after its lock (by the test's clock, two hours ahead).
        long ttl = REDIS.commands().pttl("sa:throttle:user_day:alice");
        assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofHours(27).toMillis());
    }

    /**
     * Thirty failed guesses on random usernames from one carrier-grade NAT address once locked out an
     * unrelated user there. Addresses in a shared range (100.64.0.0/10 by default) have no
     * per-address counter: only the per-username ones hold.
     */
    @Test
    void guessesFromASharedAddressDoNotLockOutOthersBehindIt() {
        for (int i = 0; i < 40; i++) {
            loginFailure("nobody" + i, "guess", "100.64.12.1");
        }
        assertThat(loginFailure("alice", "password-alice", "100.64.12.1")).as("another user behind the same NAT").isNull();
        for (int i = 0; i < 40; i++) {
            loginFailure("nobody" + i, "guess", "198.51.100.77");
        }
        assertThat(loginFailure("alice", "password-alice", "198.51.100.77")).as("an ordinary address is still limited")
                .isInstanceOf(ThrottledException.class);
    }

    @Test
    void aDeviceIsForgottenAfterItsLifetime() {
        String device = login("alice", "password-alice", "198.51.100.20", "").deviceToken();
        domain.clock.advance(Duration.ofDays(91));
        SessionService.Started later = login("alice", "password-alice", "198.51.100.20", device);
        assertThat(later.deviceToken()).isNotEqualTo(device).startsWith(DeviceTokens.PREFIX);
    }

    @Test
    void aMalformedDeviceTokenIsRefusedBeforeAnythingIsCounted() {
        for (int i = 0; i < 40; i++) {
            assertThat(loginFailure("alice", "wrong", "192.0.2.78", "sad1_short")).isInstanceOf(InvalidArgumentException.class);
        }
        assertThat(loginFailure("alice", "password-alice", "192.0.2.78")).isNull();
    }

    @Test
    void changePasswordGuessesAreThrottledByTheLoginCounters() {
        for (int i = 0; i < 30; i++) {
            assertThat(changePasswordFailure("guess-" + i, "192.0.2.60")).isInstanceOf(InvalidCredentialsException.class);
        }
        // The right password is refused too while the counters are locked: guessing stops at the threshold.
        assertThat(changePasswordFailure("password-alice", "192.0.2.60")).isInstanceOf(ThrottledException.class);
        // And the same counters hold for Login from that address.
        assertThat(loginFailure("alice", "password-alice", "192.0.2.60")).isInstanceOf(ThrottledException.class);
    }

    @Test
    void changePasswordGuessesWithoutAnAddressStillCountOnTheUsername() {
        for (int i = 0; i < 100; i++) {
            changePasswordFailure("guess-" + i, "");
        }
        assertThat(changePasswordFailure("password-alice", "")).isInstanceOf(ThrottledException.class);
    }
}
