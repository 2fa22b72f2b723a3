package io.sessionauthority.service.throttle;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.OverloadedException;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
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

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        domain = new DomainFixture(REDIS.uri());
        domain.createUser("alice");
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    private Throwable loginFailure(String username, String password, String ip) {
        try {
            join(domain.sessions.login(username, password, new ClientInfo(ip, "", ""), Map.of()));
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void aBurstOfConcurrentGuessesGetsNoMoreTriesThanTheThreshold() {
        List<CompletableFuture<?>> guesses = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            guesses.add(domain.sessions.login("alice", "guess-" + i, new ClientInfo("198.51.100.9", "", ""), Map.of())
                    .toCompletableFuture());
        }
        int wrongPassword = 0;
        int throttled = 0;
        for (CompletableFuture<?> guess : guesses) {
            try {
                guess.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof InvalidCredentialsException) {
                    wrongPassword++;
                } else if (e.getCause() instanceof OverloadedException overloaded) {
                    assertThat(overloaded.reason()).isIn("LOGIN_THROTTLED", "PASSWORD_HASHING_BUSY");
                    throttled++;
                }
            }
        }
        assertThat(wrongPassword).isLessThanOrEqualTo(30);
        assertThat(wrongPassword + throttled).isEqualTo(60);
    }

    @Test
    void lockoutsGrowByAStepPerFailureUpToTheMaximumAndEnd() {
        for (int i = 0; i < 30; i++) {
            assertThat(loginFailure("alice", "wrong", "192.0.2.1")).isInstanceOf(InvalidCredentialsException.class);
        }
        OverloadedException first = (OverloadedException) loginFailure("alice", "wrong", "192.0.2.1");
        assertThat(first.retryAfter()).isEqualTo(Duration.ofSeconds(60));
        domain.clock.advance(Duration.ofSeconds(61));
        assertThat(loginFailure("alice", "wrong", "192.0.2.1")).isInstanceOf(InvalidCredentialsException.class);
        OverloadedException second = (OverloadedException) loginFailure("alice", "wrong", "192.0.2.1");
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
        assertThat(loginFailure("carol", "wrong", "192.0.2.50")).isInstanceOf(OverloadedException.class);
    }

    @Test
    void spellingsOfOneAddressShareOneCounter() {
        for (int i = 0; i < 15; i++) {
            loginFailure("alice", "wrong", "::1");
            loginFailure("alice", "wrong", "0:0:0:0:0:0:0:1");
        }
        assertThat(loginFailure("alice", "wrong", "0000::0001")).isInstanceOf(OverloadedException.class);
    }

    @Test
    void failuresThatAreNotWrongPasswordsAreNotCounted() {
        for (int i = 0; i < 40; i++) {
            assertThat(loginFailure("alice", "", "192.0.2.77")).isInstanceOf(io.sessionauthority.service.error.InvalidArgumentException.class);
        }
        assertThat(loginFailure("alice", "password-alice", "192.0.2.77")).isNull();
    }
}
