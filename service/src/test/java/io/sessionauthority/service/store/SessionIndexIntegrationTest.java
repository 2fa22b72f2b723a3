package io.sessionauthority.service.store;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.sync.RedisCommands;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionLimit;
import io.sessionauthority.service.session.SessionPolicy;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.SessionStatus;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.user.User;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A user's session index is fields {@code s:<sid>} of the user's hash: written by logins and
 * touches, pruned by the user's writes, and read beside the sorted set that versions before kept
 * it in, until the user's next write moves that set into the hash.
 */
@Tag("redis")
class SessionIndexIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();
    private static final Duration IDLE = Duration.ofMinutes(30);
    private static final Duration FORGET = Duration.ofHours(1);

    private final RedisCommands<String, String> redis = REDIS.commands();
    private DomainFixture domain;
    private User user;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        // At most two sessions per user, the oldest evicted: the limit reads the index.
        domain = new DomainFixture(REDIS.uri(), limit(2, SessionLimit.Policy.EVICT_LEAST_RECENT));
        user = domain.createUser("olga");
    }

    private static SessionPolicy limit(int maxPerUser, SessionLimit.Policy policy) {
        return new SessionPolicy(IDLE, Duration.ofHours(12), maxPerUser, FORGET, 16, 256, policy);
    }

    /** The same Redis and user, under another session limit. */
    private void reopenWith(int maxPerUser, SessionLimit.Policy policy) {
        domain.close();
        domain = new DomainFixture(REDIS.uri(), limit(maxPerUser, policy));
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    /** Puts a session's index entry where the version before kept it: the user's sorted set only. */
    private String indexedTheOldWay(SessionService.Started started) {
        String sid = started.session().sessionId();
        String field = RedisSchema.UserFields.SESSION_INDEX + sid;
        long expiry = Long.parseLong(redis.hget(RedisSchema.user(user.id()), field));
        redis.hdel(RedisSchema.user(user.id()), field);
        redis.zadd(RedisSchema.sessionIndex(user.id()), expiry, sid);
        redis.pexpireat(RedisSchema.sessionIndex(user.id()), expiry + FORGET.toMillis());
        return sid;
    }

    /** The user's hash is as it was, and the old sorted set still holds only {@code old}. */
    private void assertNothingWritten(java.util.Map<String, String> userBefore, String old) {
        assertThat(redis.hgetall(RedisSchema.user(user.id()))).isEqualTo(userBefore);
        assertThat(redis.zrange(RedisSchema.sessionIndex(user.id()), 0, -1)).containsExactly(old);
    }

    private java.util.List<String> listed() {
        return join(domain.sessions.list(user.id())).stream().map(Session::sessionId).toList();
    }

    @Test
    void aSessionTheVersionBeforeIndexedIsListedAndTheNextLoginMovesItIntoTheUsersHash() {
        SessionService.Started first = domain.login("olga");
        String old = indexedTheOldWay(first);
        long expiry = redis.zscore(RedisSchema.sessionIndex(user.id()), old).longValue();

        // A read changes nothing: Validate's and List's scripts never write.
        assertThat(listed()).containsExactly(old);
        assertThat(redis.exists(RedisSchema.sessionIndex(user.id()))).isOne();

        domain.clock.advance(Duration.ofMinutes(1));
        SessionService.Started second = domain.login("olga");
        assertThat(redis.exists(RedisSchema.sessionIndex(user.id()))).isZero();
        assertThat(redis.hget(RedisSchema.user(user.id()), RedisSchema.UserFields.SESSION_INDEX + old)).isEqualTo(Long.toString(expiry));
        assertThat(listed()).containsExactlyInAnyOrder(old, second.session().sessionId());
    }

    @Test
    void theLimitCountsSessionsInEitherPlaceAndEvictsTheLeastRecentlyUsed() {
        SessionService.Started first = domain.login("olga");
        domain.clock.advance(Duration.ofMinutes(1));
        SessionService.Started second = domain.login("olga");
        indexedTheOldWay(first);
        domain.clock.advance(Duration.ofMinutes(1));

        SessionService.Started third = domain.login("olga");
        assertThat(join(domain.sessions.validate(first.token())).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(listed()).containsExactlyInAnyOrder(second.session().sessionId(), third.session().sessionId());
    }

    @Test
    void anEntryInBothPlacesKeepsTheLaterExpiryWhicheverHoldsIt() {
        reopenWith(3, SessionLimit.Policy.EVICT_LEAST_RECENT);
        SessionService.Started first = domain.login("olga");
        SessionService.Started second = domain.login("olga");
        String field = RedisSchema.UserFields.SESSION_INDEX;
        long firstExpiry = Long.parseLong(redis.hget(RedisSchema.user(user.id()), field + first.session().sessionId()));
        redis.zadd(RedisSchema.sessionIndex(user.id()), firstExpiry + 60_000, first.session().sessionId());
        redis.zadd(RedisSchema.sessionIndex(user.id()), firstExpiry - 60_000, second.session().sessionId());
        long secondExpiry = Long.parseLong(redis.hget(RedisSchema.user(user.id()), field + second.session().sessionId()));

        domain.login("olga"); // the third: nothing evicted
        assertThat(redis.exists(RedisSchema.sessionIndex(user.id()))).isZero();
        assertThat(redis.hget(RedisSchema.user(user.id()), field + first.session().sessionId())).isEqualTo(Long.toString(firstExpiry + 60_000));
        assertThat(redis.hget(RedisSchema.user(user.id()), field + second.session().sessionId())).isEqualTo(Long.toString(secondExpiry));
    }

    @Test
    void validateAndListOnlyReadEvenWithTheOldSetThere() {
        SessionService.Started first = domain.login("olga");
        String old = indexedTheOldWay(first);
        var before = redis.hgetall(RedisSchema.user(user.id()));
        assertThat(join(domain.sessions.validate(first.token(), true)).status()).isEqualTo(SessionStatus.LIVE);
        assertThat(listed()).containsExactly(old);
        assertNothingWritten(before, old);
    }

    @Test
    void anExpiredSessionOnlyTheOldSetIndexedAnswersExpiredThenUnknownPastTheForgetWindow() {
        SessionService.Started first = domain.login("olga");
        String old = indexedTheOldWay(first);
        domain.clock.advance(IDLE.plusSeconds(1));
        redis.del(RedisSchema.session(user.id(), old)); // as Redis expires it
        assertThat(join(domain.sessions.validate(first.token(), true)).status()).isEqualTo(SessionStatus.EXPIRED);
        domain.clock.advance(FORGET);
        assertThat(join(domain.sessions.validate(first.token(), true)).status()).isEqualTo(SessionStatus.UNKNOWN);
        // The validate script only read.
        assertThat(redis.zrange(RedisSchema.sessionIndex(user.id()), 0, -1)).containsExactly(old);
        assertThat(redis.hkeys(RedisSchema.user(user.id()))).noneMatch(field -> field.startsWith(RedisSchema.UserFields.SESSION_INDEX));
    }

    @Test
    void aDormantUsersExpiredSessionIsForgottenAfterTheWindowThoughItsEntryStays() {
        SessionService.Started first = domain.login("olga");
        String sid = first.session().sessionId();
        domain.clock.advance(IDLE.plusSeconds(1));
        redis.del(RedisSchema.session(user.id(), sid)); // as Redis expires it
        assertThat(join(domain.sessions.validate(first.token(), true)).status()).isEqualTo(SessionStatus.EXPIRED);
        domain.clock.advance(FORGET.minusSeconds(2));
        assertThat(join(domain.sessions.validate(first.token(), true)).status()).isEqualTo(SessionStatus.EXPIRED);
        domain.clock.advance(Duration.ofSeconds(2));
        assertThat(join(domain.sessions.validate(first.token(), true)).status()).isEqualTo(SessionStatus.UNKNOWN);
        assertThat(redis.hexists(RedisSchema.user(user.id()), RedisSchema.UserFields.SESSION_INDEX + sid)).isTrue();
    }

    @Test
    void anEntryWhoseSessionAnOlderReplicaRevokedNeitherRefusesALoginNorPushesOutARealSession() {
        SessionService.Started first = domain.login("olga");
        domain.clock.advance(Duration.ofMinutes(1));
        SessionService.Started second = domain.login("olga");
        // An older replica's revoke of the second: the key deleted, a tombstone, but its ZREM
        // cannot remove the entry from the user's hash.
        redis.del(RedisSchema.session(user.id(), second.session().sessionId()));
        redis.zadd(RedisSchema.revokedSessions(user.id()), domain.clock.instant().plus(FORGET).toEpochMilli(), second.session().sessionId());

        SessionService.Started third = domain.login("olga");
        assertThat(join(domain.sessions.validate(first.token(), true)).status()).isEqualTo(SessionStatus.LIVE);
        assertThat(listed()).containsExactlyInAnyOrder(first.session().sessionId(), third.session().sessionId());
    }

    @Test
    void underDenyNewAnEntryWhoseSessionAnOlderReplicasRevokeAllEndedDoesNotRefuseALogin() {
        reopenWith(1, SessionLimit.Policy.DENY_NEW);
        SessionService.Started first = domain.login("olga");
        // An older replica's revoke-all: a new generation ends the session, whose key it leaves to
        // the generation; it cannot remove the entry from the user's hash.
        redis.hincrby(RedisSchema.user(user.id()), "gen", 1);
        redis.hset(RedisSchema.user(user.id()), java.util.Map.of("genk", "", "genr", "r"));

        SessionService.Started second = domain.login("olga");
        assertThat(join(domain.sessions.validate(first.token(), true)).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(join(domain.sessions.validate(second.token(), true)).status()).isEqualTo(SessionStatus.LIVE);
    }

    @Test
    void underDenyNewTheSessionARevokeAllKeptStillCountsAtTheLimit() {
        reopenWith(1, SessionLimit.Policy.DENY_NEW);
        SessionService.Started kept = domain.login("olga");
        join(domain.sessions.revokeAll(user.id(), kept.session().sessionId())); // a new generation; the kept one's is older
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> domain.login("olga"))
                .hasCauseInstanceOf(io.sessionauthority.service.session.SessionLimitReachedException.class);
        assertThat(join(domain.sessions.validate(kept.token(), true)).status()).isEqualTo(SessionStatus.LIVE);
    }

    @Test
    void underDenyNewARefusedLoginWritesNothingThoughTheOldSetIsThere() {
        reopenWith(1, SessionLimit.Policy.DENY_NEW);
        String old = indexedTheOldWay(domain.login("olga"));
        var before = redis.hgetall(RedisSchema.user(user.id()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> domain.login("olga"))
                .hasCauseInstanceOf(io.sessionauthority.service.session.SessionLimitReachedException.class);
        assertNothingWritten(before, old);
    }

    @Test
    void aRevokeAllEndsASessionOnlyTheOldSetIndexed() {
        SessionService.Started first = domain.login("olga");
        String old = indexedTheOldWay(first);
        assertThat(join(domain.sessions.revokeAll(user.id(), ""))).isOne();
        assertThat(redis.exists(RedisSchema.session(user.id(), old))).isZero();
        assertThat(redis.exists(RedisSchema.sessionIndex(user.id()))).isZero();
        assertThat(redis.hkeys(RedisSchema.user(user.id()))).noneMatch(field -> field.startsWith(RedisSchema.UserFields.SESSION_INDEX));
    }

    @Test
    void anExpiredSessionAnswersExpiredUntilItsEntryIsForgottenByALaterWrite() {
        SessionService.Started first = domain.login("olga");
        String sid = first.session().sessionId();
        domain.clock.advance(IDLE.plusSeconds(1));
        assertThat(join(domain.sessions.validate(first.token(), true)).status()).isEqualTo(SessionStatus.EXPIRED);

        // Within the forget window a login keeps the entry (so Validate can still say EXPIRED)...
        domain.login("olga");
        assertThat(redis.hexists(RedisSchema.user(user.id()), RedisSchema.UserFields.SESSION_INDEX + sid)).isTrue();
        // ...after it, the next login forgets it.
        domain.clock.advance(FORGET);
        domain.login("olga");
        assertThat(redis.hexists(RedisSchema.user(user.id()), RedisSchema.UserFields.SESSION_INDEX + sid)).isFalse();
    }

    @Test
    void aTouchSlidesTheEntryAndAnOldSetEntryMovesWithIt() {
        SessionService.Started first = domain.login("olga");
        indexedTheOldWay(first);
        domain.clock.advance(Duration.ofMinutes(5));
        join(domain.sessions.touch(first.token(), java.util.Map.of(), java.util.List.of()));
        assertThat(redis.exists(RedisSchema.sessionIndex(user.id()))).isZero();
        assertThat(redis.hget(RedisSchema.user(user.id()), RedisSchema.UserFields.SESSION_INDEX + first.session().sessionId()))
                .isEqualTo(Long.toString(domain.clock.instant().plus(IDLE).toEpochMilli()));
    }
}
