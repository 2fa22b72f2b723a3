package io.sessionauthority.service.store;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.revocation.EndReason;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.service.session.SessionPolicy;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.SessionStatus;
import io.sessionauthority.service.session.SessionTokens;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.user.User;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Token rotation against a real Redis, with a clock the test moves: the grace, racing refreshes,
 * reuse after the grace ending the session, automatic rotation by Touch, and the stored layout.
 */
@Tag("redis")
class TokenRotationIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Duration ROTATE_AFTER = Duration.ofMinutes(15);

    private DomainFixture domain;
    private User alice;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        domain = new DomainFixture(REDIS.uri(), DomainFixture.DEFAULT_SESSIONS.withRotation(GRACE, ROTATE_AFTER));
        alice = domain.createUser("alice");
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    private SessionCheck validate(String token) {
        return join(domain.sessions.validate(token));
    }

    private SessionCheck refresh(String token) {
        return join(domain.sessions.refresh(token));
    }

    private static void assertEndedForReuse(SessionCheck check) {
        assertThat(check.status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(check.endReason()).isEqualTo(EndReason.TOKEN_REUSE);
    }

    @Test
    void aRefreshHandsOutANewTokenOfTheSameSession() {
        SessionService.Started started = domain.login("alice");
        SessionCheck refreshed = refresh(started.token());

        String next = refreshed.token().newToken();
        assertThat(next).startsWith(SessionTokens.ROTATED_PREFIX).hasSize(SessionTokens.ROTATED_TOKEN_LENGTH).isNotEqualTo(started.token());
        assertThat(refreshed.session().sessionId()).isEqualTo(started.session().sessionId());
        assertThat(refreshed.session().expireTime()).isEqualTo(started.session().expireTime());
        assertThat(refreshed.token().graceEnd()).isEqualTo(domain.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plus(GRACE));

        SessionCheck current = validate(next);
        assertThat(current.isLive()).isTrue();
        assertThat(current.token()).isEqualTo(SessionCheck.TokenStatus.CURRENT);
        assertThat(current.session().sessionId()).isEqualTo(started.session().sessionId());
        SessionCheck replaced = validate(started.token());
        assertThat(replaced.isLive()).as("within its grace").isTrue();
        assertThat(replaced.token().graceEnd()).isEqualTo(refreshed.token().graceEnd());
    }

    @Test
    void racingRefreshesWithOneTokenWithinTheGraceAgreeOnTheNewToken() {
        String token = domain.login("alice").token();
        String first = refresh(token).token().newToken();
        domain.clock.advance(Duration.ofSeconds(10));
        SessionCheck second = refresh(token);
        assertThat(second.token().newToken()).as("derived again, not rotated again").isEqualTo(first);
        assertThat(validate(first).token()).isEqualTo(SessionCheck.TokenStatus.CURRENT);
        assertThat(validate(token).isLive()).isTrue();
    }

    @Test
    void aReplacedTokenAfterItsGraceEndsTheWholeSession() {
        SessionService.Started started = domain.login("alice");
        String next = refresh(started.token()).token().newToken();
        domain.clock.advance(GRACE);

        assertEndedForReuse(validate(started.token()));
        assertEndedForReuse(validate(next));
        assertThat(REDIS.commands().exists(RedisSchema.session(alice.id(), started.session().sessionId()))).isZero();
        List<StreamMessage<String, String>> events = REDIS.commands().xrange(RedisSchema.revocations(), Range.create("-", "+"));
        assertThat(events).extracting(event -> event.getBody().get("r")).containsExactly(
                EndReason.TOKEN_ROTATED.code(), EndReason.TOKEN_REUSE.code());
        assertThat(events).allSatisfy(event -> assertThat(event.getBody()).containsEntry("s", started.session().sessionId()));
    }

    @Test
    void aTouchWithAReplacedTokenEndsTheSession() {
        SessionService.Started started = domain.login("alice");
        String next = refresh(started.token()).token().newToken();
        assertThat(join(domain.sessions.touch(started.token(), Map.of("page", "/in-grace"), List.of())).isLive())
                .as("within its grace").isTrue();
        domain.clock.advance(GRACE);
        String key = RedisSchema.session(alice.id(), started.session().sessionId());
        String lastSeen = REDIS.commands().hget(key, "ls");
        SessionTokens.Reference replaced = SessionTokens.parse("token", started.token());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> join(domain.sessionStore.touch(alice.id(),
                        started.session().sessionId(), replaced, domain.clock.instant(), Duration.ofMinutes(30), Map.of("page", "/stolen"),
                        List.of(), 16, Duration.ofHours(1))))
                .hasRootCauseInstanceOf(io.sessionauthority.service.session.TokenReplacedException.class);
        assertThat(REDIS.commands().hget(key, "ls")).as("the script wrote nothing").isEqualTo(lastSeen);
        assertThat(REDIS.commands().hget(key, "a:page")).isEqualTo("/in-grace");

        SessionCheck reused = join(domain.sessions.touch(started.token(), Map.of("page", "/stolen"), List.of()));
        assertEndedForReuse(reused);
        assertThat(REDIS.commands().exists(key)).isZero();
        assertEndedForReuse(validate(next));
    }

    @Test
    void everyOlderGenerationIsAReuseAndSoIsARefreshWithIt() {
        String zero = domain.login("alice").token();
        String one = refresh(zero).token().newToken();
        domain.clock.advance(GRACE);
        String two = refresh(one).token().newToken();
        assertThat(validate(one).isLive()).as("generation 1 is in its grace").isTrue();

        // Generation 0 is two rotations old: a reuse even though generation 1's grace still runs.
        assertEndedForReuse(refresh(zero));
        assertEndedForReuse(validate(two));
    }

    @Test
    void aRotationWithinThePreviousTokensGraceKeepsItUntilItsOwnGraceEnds() {
        SessionService.Started started = domain.login("alice");
        String zero = started.token();
        SessionCheck first = refresh(zero);
        String one = first.token().newToken();
        domain.clock.advance(Duration.ofSeconds(10));
        SessionCheck second = refresh(one);
        String two = second.token().newToken();

        // A request on its way with generation 0 (another tab, say) is no reuse while its own grace lasts.
        SessionCheck earlier = validate(zero);
        assertThat(earlier.isLive()).isTrue();
        assertThat(earlier.token().graceEnd()).as("its own grace, not extended").isEqualTo(first.token().graceEnd());
        SessionCheck refreshedEarlier = refresh(zero);
        assertThat(refreshedEarlier.isLive()).isTrue();
        assertThat(refreshedEarlier.token().newToken()).as("no successor: the one it had is replaced too").isEmpty();
        assertThat(join(domain.sessions.touch(zero, Map.of("page", "/second-tab"), List.of())).isLive()).isTrue();
        assertThat(validate(one).token().graceEnd()).isEqualTo(second.token().graceEnd());
        assertThat(validate(two).token()).isEqualTo(SessionCheck.TokenStatus.CURRENT);

        // A rotation once generation 1's grace is over keeps nothing older than the token it replaces.
        domain.clock.advance(GRACE);
        String three = refresh(two).token().newToken();
        assertThat(REDIS.commands().hgetall(RedisSchema.session(alice.id(), started.session().sessionId())))
                .containsKeys("tp", "tx").doesNotContainKeys("tq", "ty", "ts");
        assertThat(validate(two).isLive()).isTrue();
        assertEndedForReuse(validate(one));
        assertEndedForReuse(validate(three));
    }

    @Test
    void anEarlierTokenEndsTheSessionOnceItsOwnGraceIsOverThoughTheNextOnesLasts() {
        String zero = domain.login("alice").token();
        String one = refresh(zero).token().newToken();
        domain.clock.advance(Duration.ofSeconds(10));
        String two = refresh(one).token().newToken();
        domain.clock.advance(Duration.ofSeconds(20));

        assertThat(validate(one).isLive()).as("generation 1's grace runs 10 s more").isTrue();
        assertEndedForReuse(validate(zero));
        assertEndedForReuse(validate(two));
    }

    @Test
    void aTouchThatAsksRotatesADueTokenAndAnswersTheNewOne() {
        String token = domain.login("alice").token();
        SessionCheck early = join(domain.sessions.touch(token, Map.of(), List.of(), true));
        assertThat(early.token().newToken()).as("not due yet").isEmpty();
        assertThat(validate(token).token().refreshDue()).isFalse();

        domain.clock.advance(ROTATE_AFTER);
        assertThat(validate(token).token().refreshDue()).as("Validate says so, and changes nothing").isTrue();
        assertThat(join(domain.sessions.touch(token, Map.of(), List.of())).token().newToken())
                .as("a Touch that did not ask never rotates").isEmpty();
        SessionCheck touched = join(domain.sessions.touch(token, Map.of("page", "/cart"), List.of(), true));
        String next = touched.token().newToken();
        assertThat(next).startsWith(SessionTokens.ROTATED_PREFIX);
        assertThat(touched.session().attributes()).containsEntry("page", "/cart");
        SessionCheck current = validate(next);
        assertThat(current.token().refreshDue()).isFalse();
        assertThat(current.session().tokenIssuedTime()).isEqualTo(touched.session().lastSeenTime());
    }

    @Test
    void aKeepAliveNeverRotatesForItCouldHandTheTokenToNoOne() {
        SessionService.Started started = domain.login("alice");
        domain.clock.advance(ROTATE_AFTER);
        domain.sessions.keepAlive(started.token(), started.session(), Duration.ofSeconds(1));
        io.sessionauthority.service.testing.Await.until("the keep-alive's Touch", Duration.ofSeconds(10), () -> !validate(started.token()).session().lastSeenTime().equals(started.session().lastSeenTime()));
        assertThat(validate(started.token()).token().refreshDue()).as("still the current token").isTrue();
    }

    @Test
    void aRotatedSessionStoresOnlyValidatorsAndARevokeByIdStillEndsIt() {
        SessionService.Started started = domain.login("alice");
        String next = refresh(started.token()).token().newToken();
        Map<String, String> stored = REDIS.commands().hgetall(RedisSchema.session(alice.id(), started.session().sessionId()));
        assertThat(stored).containsKeys("tg", "tk", "tt", "tn", "tp", "tx").containsEntry("tg", "1");
        assertThat(stored.values()).noneMatch(value -> value.contains(next.substring(SessionTokens.ROTATED_PREFIX.length(), 40)));

        assertThat(join(domain.sessions.revoke(alice.id(), started.session().sessionId()))).isEqualTo(1);
        SessionCheck revoked = validate(next);
        assertThat(revoked.status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(revoked.endReason()).isEqualTo(EndReason.ADMIN_REVOKE);
        assertThat(refresh(next).isLive()).isFalse();
    }

    @Test
    void aTokenOfAnotherSessionOrAForgedGenerationNamesNothingLive() {
        String token = domain.login("alice").token();
        SessionTokens.Reference ref = SessionTokens.parse("token", token);
        String other = domain.login("alice").token();
        refresh(other);
        // Same session secret, a generation nobody handed out: a holder of the session's token made it up.
        String forged = SessionTokens.successor(ref, "AAAAAAAAAAAAAAAAAAAAAA").token();
        assertThat(validate(token).isLive()).isTrue();
        assertEndedForReuse(validate(forged));
        assertThat(validate(other).isLive()).as("another session is untouched").isTrue();
    }
}
