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

    @Test
    void touchRacingRevokeNeverResurrects() {
        String name = fresh("dave");
        domain.createUser(name);
        for (int round = 0; round < 10; round++) {
            String token = domain.login(name).token();
            List<CompletableFuture<?>> touches = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                touches.add(domain.sessions.touch(token, Map.of("n", "" + i), List.of()).toCompletableFuture());
            }
            join(domain.sessions.revokeByToken(token));
            touches.forEach(CompletableFuture::join);
            assertThat(join(domain.sessions.validate(token)).status()).isEqualTo(SessionStatus.REVOKED);
        }
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
                    .hasCauseInstanceOf(InvalidCredentialsException.class);
        }
        assertThatThrownBy(() -> join(domain.sessions.login(name, "password-" + name, attacker, Map.of(), "")))
                .hasCauseInstanceOf(ThrottledException.class);
        assertThat(join(domain.sessions.login(name, "password-" + name, ClientInfo.NONE, Map.of(), "")).token()).startsWith("sat1_");
    }
}
