package io.sessionauthority.service.store;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.error.AlreadyExistsException;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.ThrottledException;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.SessionStatus;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.user.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract: what every Redis topology must do the same (standalone, Sentinel, Cluster).
 * Only the domain API is used, never a look at one node's keys, so the same tests hold everywhere.
 */
abstract class SessionStoreContract {

    private static final AtomicInteger NAMES = new AtomicInteger();
    protected DomainFixture domain;

    protected abstract DomainFixture newDomain();

    @BeforeEach
    void connect() {
        domain = newDomain();
    }

    @AfterEach
    void disconnect() {
        domain.close();
    }

    /** A username no other test (or earlier run on the same Redis) has used. */
    private static String fresh(String base) {
        return base + "-" + NAMES.incrementAndGet() + "-" + System.nanoTime();
    }

    @Test
    void createLoginValidateTouchRevoke() {
        String name = fresh("alice");
        User user = domain.createUser(name);
        SessionService.Started started = domain.login(name);
        assertThat(join(domain.sessions.validate(started.token())).session().userId()).isEqualTo(user.id());
        domain.clock.advance(Duration.ofMinutes(20));
        assertThat(join(domain.sessions.touch(started.token(), Map.of("page", "/"), List.of())).session().attributes())
                .containsEntry("page", "/");
        assertThat(join(domain.sessions.revokeByToken(started.token()))).isEqualTo(1);
        assertThat(join(domain.sessions.validate(started.token())).status()).isEqualTo(SessionStatus.REVOKED);
    }

    @Test
    void idleAndAbsoluteExpiry() {
        String name = fresh("bob");
        domain.createUser(name);
        String idle = domain.login(name).token();
        domain.clock.advance(Duration.ofMinutes(31));
        assertThat(join(domain.sessions.validate(idle)).status()).isEqualTo(SessionStatus.EXPIRED);
        String busy = domain.login(name).token();
        for (int i = 0; i < 50; i++) {
            domain.clock.advance(Duration.ofMinutes(15));
            join(domain.sessions.touch(busy, Map.of(), List.of()));
        }
        assertThat(join(domain.sessions.validate(busy)).status()).isEqualTo(SessionStatus.EXPIRED);
    }

    @Test
    void revokeAllButOneAndList() {
        String name = fresh("carol");
        User user = domain.createUser(name);
        SessionService.Started kept = domain.login(name);
        domain.clock.advance(Duration.ofSeconds(1));
        SessionService.Started other = domain.login(name);
        assertThat(join(domain.sessions.list(user.id()))).extracting(Session::sessionId)
                .containsExactly(other.session().sessionId(), kept.session().sessionId());
        assertThat(join(domain.sessions.revokeAll(user.id(), kept.session().sessionId()))).isEqualTo(1);
        assertThat(join(domain.sessions.validate(kept.token())).isLive()).isTrue();
        assertThat(join(domain.sessions.validate(other.token())).status()).isEqualTo(SessionStatus.REVOKED);
    }

    /**
     * Touches on one connection race a revoke on another, many rounds: each touch lands wholly before
     * the revoke (and sees the session live) or wholly after (and writes nothing), never half of each,
     * so once one touch has seen it revoked no later one sees it live, and nothing brings it back.
     */
    @Test
    void touchRacingRevokeNeverResurrects() throws Exception {
        String name = fresh("dave");
        domain.createUser(name);
        int sawLive = 0;
        int sawRevoked = 0;
        try (DomainFixture other = newDomain()) {
            for (int round = 0; round < 30; round++) {
                String token = domain.login(name).token();
                List<SessionStatus> seen = java.util.Collections.synchronizedList(new ArrayList<>());
                java.util.concurrent.atomic.AtomicBoolean revoked = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.CountDownLatch touching = new java.util.concurrent.CountDownLatch(1);
                CompletableFuture<Void> toucher = CompletableFuture.runAsync(() -> {
                    int afterRevoke = 0;
                    while (afterRevoke < 3) {
                        seen.add(join(domain.sessions.touch(token, Map.of("n", "" + seen.size()), List.of())).status());
                        touching.countDown();
                        if (revoked.get()) {
                            afterRevoke++;
                        }
                    }
                });
                assertThat(touching.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                join(other.sessions.revokeByToken(token));
                revoked.set(true);
                toucher.get(10, java.util.concurrent.TimeUnit.SECONDS);

                int firstNotLive = seen.indexOf(SessionStatus.REVOKED);
                assertThat(firstNotLive).as("a touch after the revoke saw it revoked").isPositive();
                assertThat(seen.subList(firstNotLive, seen.size())).as("no touch after that saw it live").containsOnly(SessionStatus.REVOKED);
                assertThat(join(domain.sessions.validate(token)).status()).isEqualTo(SessionStatus.REVOKED);
                sawLive += firstNotLive;
                sawRevoked += seen.size() - firstNotLive;
            }
        }
        assertThat(sawLive).isPositive();
        assertThat(sawRevoked).isPositive();
    }

    /**
     * Validates read from the store on one connection race a revoke-all on another, many rounds
     * (Validate reads the session and then the user's generation as two pipelined commands, not one
     * script): no Validate that began after the revoke-all returned sees the session live.
     */
    @Test
    void validateRacingRevokeAllNeverSeesItLive() throws Exception {
        String name = fresh("vic");
        String userId = domain.createUser(name).id();
        int sawLive = 0;
        int sawEnded = 0;
        try (DomainFixture other = newDomain()) {
            for (int round = 0; round < 30; round++) {
                String token = domain.login(name).token();
                List<long[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
                java.util.concurrent.atomic.AtomicLong revokedAt = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
                java.util.concurrent.CountDownLatch validating = new java.util.concurrent.CountDownLatch(1);
                CompletableFuture<Void> validator = CompletableFuture.runAsync(() -> {
                    int afterRevoke = 0;
                    while (afterRevoke < 3) {
                        long began = System.nanoTime();
                        boolean live = join(domain.sessions.validate(token, true)).isLive();
                        seen.add(new long[] {began, live ? 1 : 0});
                        validating.countDown();
                        if (began > revokedAt.get()) {
                            afterRevoke++;
                        }
                    }
                });
                assertThat(validating.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                join(other.sessions.revokeAll(userId, ""));
                revokedAt.set(System.nanoTime());
                validator.get(10, java.util.concurrent.TimeUnit.SECONDS);
                for (long[] validation : seen) {
                    if (validation[0] > revokedAt.get()) {
                        assertThat(validation[1]).as("a Validate begun after the revoke-all returned").isZero();
                        sawEnded++;
                    } else if (validation[1] == 1) {
                        sawLive++;
                    }
                }
            }
        }
        assertThat(sawLive).isPositive();
        assertThat(sawEnded).isPositive();
    }

    @Test
    void oneWinnerForOneUsername() {
        String name = fresh("erin");
        List<CompletableFuture<User>> racers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            racers.add(domain.users.create(name, "password-" + i).toCompletableFuture());
        }
        long winners = racers.stream().filter(racer -> {
            try {
                racer.join();
                return true;
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(AlreadyExistsException.class);
                return false;
            }
        }).count();
        assertThat(winners).isEqualTo(1);
    }

    @Test
    void bruteForceIsThrottledAcrossCounters() {
        String name = fresh("frank");
        domain.createUser(name);
        ClientInfo attacker = new ClientInfo("198.51.100." + (NAMES.get() % 250), "", "");
        for (int i = 0; i < 30; i++) {
            assertThatThrownBy(() -> join(domain.sessions.login(name, "wrong", attacker, Map.of(), "")))
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(InvalidCredentialsException.class);
        }
        assertThatThrownBy(() -> join(domain.sessions.login(name, "password-" + name, attacker, Map.of(), "")))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(ThrottledException.class);
        assertThat(join(domain.sessions.login(name, "password-" + name, ClientInfo.NONE, Map.of(), "")).token()).startsWith("sat1_");
    }
}
