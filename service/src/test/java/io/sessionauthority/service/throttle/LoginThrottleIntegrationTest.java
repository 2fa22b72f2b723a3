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
import org.junit.jupiter.api.Test;

/** Brute-force protection against a real Redis, with a clock the test moves. */
class LoginThrottleIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();
    private DomainFixture domain;
    private User alice;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        domain = new DomainFixture(REDIS.uri());
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
        // The owner's device is not, from anywhere, and gets its own token back.
        SessionService.Started owner = login("alice", "password-alice", "192.0.2.201", device);
        assertThat(owner.deviceToken()).isEqualTo(device);

        // The campaign goes on at a guess a minute for an hour; the owner logs in every ten minutes.
        for (int minute = 0; minute < 60; minute++) {
            domain.clock.advance(Duration.ofMinutes(1));
            loginFailure("alice", "slow-guess-" + minute, "203.0.113." + (minute % 10));
            if (minute % 10 == 9) {
                assertThat(login("alice", "password-alice", "192.0.2.201", device).session().userId()).isEqualTo(alice.id());
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
