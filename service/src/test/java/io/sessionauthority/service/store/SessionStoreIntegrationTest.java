package io.sessionauthority.service.store;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.session.SessionPolicy;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.NotFoundException;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.service.session.SessionLimit;
import io.sessionauthority.service.session.SessionLimitReachedException;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.SessionStatus;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.user.User;
import io.sessionauthority.service.user.UserIds;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Session rules against a real Redis, with a clock the test moves instead of sleeping. */
@Tag("redis")
class SessionStoreIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();

    private DomainFixture domain;
    private User alice;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        domain = new DomainFixture(REDIS.uri(), new SessionPolicy(
                Duration.ofMinutes(30), Duration.ofHours(12), 3, Duration.ofHours(1), 4, 256));
        alice = domain.createUser("alice");
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    private SessionCheck validate(String token) {
        return join(domain.sessions.validate(token));
    }

    private SessionCheck touch(String token) {
        return join(domain.sessions.touch(token, Map.of(), List.of()));
    }

    @Test
    void loginStartsASessionThatValidatesWithItsMetadataAndAttributes() {
        ClientInfo client = new ClientInfo("203.0.113.9", "Mozilla/5.0", "phone");
        SessionService.Started started = join(domain.sessions.login("Alice", "password-alice", client, Map.of("cart", "17"), ""));

        SessionCheck check = validate(started.token());

        assertThat(check.isLive()).isTrue();
        assertThat(check.session()).isEqualTo(started.session());
        assertThat(check.session().userId()).isEqualTo(alice.id());
        assertThat(check.session().username()).isEqualTo("alice");
        assertThat(check.session().client()).isEqualTo(client);
        assertThat(check.session().attributes()).containsExactly(Map.entry("cart", "17"));
    }

    /** Thousands of end reasons to forget at once (a burst of evictions long ago): a login still works. */
    @Test
    void aLoginForgetsThousandsOfStaleEndReasonsAtOnce() {
        String ends = RedisSchema.sessionEnds(alice.id());
        Map<String, String> stale = new java.util.HashMap<>();
        for (int i = 0; i < 9_000; i++) {
            stale.put(String.format("stale-session-%05d", i), "n");
        }
        REDIS.commands().hset(ends, stale);
        SessionService.Started started = join(domain.sessions.login("Alice", "password-alice", ClientInfo.NONE, Map.of(), ""));
        assertThat(validate(started.token()).isLive()).isTrue();
        assertThat(REDIS.commands().hlen(ends)).as("nothing refers to them: all forgotten").isZero();
    }

    @Test
    void validateIsReadOnly() {
        String token = domain.login("alice").token();
        SessionCheck before = validate(token);
        domain.clock.advance(Duration.ofMinutes(10));
        SessionCheck after = validate(token);
        assertThat(after.session().idleExpireTime()).isEqualTo(before.session().idleExpireTime());
        assertThat(after.session().lastSeenTime()).isEqualTo(before.session().lastSeenTime());
    }

    @Test
    void sessionExpiresAfterTheIdleTimeoutWithoutTouches() {
        String token = domain.login("alice").token();
        domain.clock.advance(Duration.ofMinutes(29));
        assertThat(validate(token).isLive()).isTrue();
        domain.clock.advance(Duration.ofMinutes(1));
        assertThat(validate(token).status()).isEqualTo(SessionStatus.EXPIRED);
    }

    @Test
    void touchSlidesTheIdleExpiryAndRecordsLastSeen() {
        String token = domain.login("alice").token();
        domain.clock.advance(Duration.ofMinutes(20));
        SessionCheck touched = touch(token);
        assertThat(touched.session().lastSeenTime()).isEqualTo(domain.clock.instant());
        assertThat(touched.session().idleExpireTime()).isEqualTo(domain.clock.instant().plus(Duration.ofMinutes(30)));
        domain.clock.advance(Duration.ofMinutes(20));
        assertThat(validate(token).isLive()).isTrue();
        // The key's TTL follows the idle expiry, so Redis itself drops a session nobody touches.
        assertThat(REDIS.commands().pexpiretime(RedisSchema.session(alice.id(), touched.session().sessionId())))
                .isEqualTo(touched.session().idleExpireTime().toEpochMilli());
    }

    @Test
    void touchNeverExtendsPastTheAbsoluteExpiry() {
        String token = domain.login("alice").token();
        for (int i = 0; i < 11 * 4; i++) {
            domain.clock.advance(Duration.ofMinutes(15));
            assertThat(touch(token).isLive()).isTrue();
        }
        domain.clock.advance(Duration.ofMinutes(25));
        assertThat(touch(token).session().idleExpireTime()).isBefore(validate(token).session().expireTime());
        // 11 h 45 in: the touch may only reach the 12 h mark, not 12 h 15.
        domain.clock.advance(Duration.ofMinutes(20));
        SessionCheck nearTheEnd = touch(token);
        assertThat(nearTheEnd.session().idleExpireTime()).isEqualTo(nearTheEnd.session().expireTime());
        domain.clock.advance(Duration.ofMinutes(15));
        assertThat(touch(token).status()).isEqualTo(SessionStatus.EXPIRED);
        assertThat(validate(token).status()).isEqualTo(SessionStatus.EXPIRED);
    }

    @Test
    void anExpiredSessionIsNotBroughtBackByATouch() {
        String token = domain.login("alice").token();
        domain.clock.advance(Duration.ofMinutes(31));
        assertThat(touch(token).status()).isEqualTo(SessionStatus.EXPIRED);
        domain.clock.advance(Duration.ofMinutes(-30)); // even a clock that steps back finds nothing to revive
        assertThat(touch(token).isLive()).isFalse();
    }

    @Test
    void revokedSessionReadsRevokedAndTouchDoesNotResurrectIt() {
        SessionService.Started started = domain.login("alice");
        assertThat(join(domain.sessions.revokeByToken(started.token()))).isEqualTo(1);

        assertThat(validate(started.token()).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(touch(started.token()).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(REDIS.commands().exists(RedisSchema.session(alice.id(), started.session().sessionId()))).isZero();
        assertThat(join(domain.sessions.revokeByToken(started.token()))).isZero(); // idempotent
    }

    @Test
    void revokedSessionsAreForgottenAfterTheRetentionAndThenReadUnknown() {
        String token = domain.login("alice").token();
        join(domain.sessions.revokeByToken(token));
        domain.clock.advance(Duration.ofMinutes(61));
        domain.login("alice"); // any write prunes the user's tombstones
        assertThat(validate(token).status()).isEqualTo(SessionStatus.UNKNOWN);
    }

    @Test
    void aWellFormedTokenNobodyIssuedIsUnknown() {
        String forged = new io.sessionauthority.service.session.SessionTokens(new SecureRandom()).issue(alice.id()).token();
        assertThat(validate(forged).status()).isEqualTo(SessionStatus.UNKNOWN);
        assertThat(touch(forged).status()).isEqualTo(SessionStatus.UNKNOWN);
        assertThat(REDIS.commands().keys("*:s:*")).isEmpty();
    }

    @Test
    void revokeBySessionIdEndsOnlyThatSession() {
        SessionService.Started first = domain.login("alice");
        SessionService.Started second = domain.login("alice");
        assertThat(join(domain.sessions.revoke(alice.id(), first.session().sessionId()))).isEqualTo(1);
        assertThat(validate(first.token()).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(validate(second.token()).isLive()).isTrue();
    }

    @Test
    void revokeAllEndsEverySessionButTheOneKept() {
        SessionService.Started kept = domain.login("alice");
        SessionService.Started other = domain.login("alice");
        SessionService.Started third = domain.login("alice");

        assertThat(join(domain.sessions.revokeAll(alice.id(), kept.session().sessionId()))).isEqualTo(2);

        assertThat(validate(kept.token()).isLive()).isTrue();
        assertThat(validate(other.token()).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(validate(third.token()).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(join(domain.sessions.revokeAll(alice.id(), kept.session().sessionId()))).isZero();
        assertThat(join(domain.sessions.revokeAll(alice.id(), ""))).isEqualTo(1);
        assertThat(validate(kept.token()).status()).isEqualTo(SessionStatus.REVOKED);
    }

    @Test
    void revokeAllHoldsEvenWhenASessionDeleteIsLost() {
        SessionService.Started started = domain.login("alice");
        String sessionKey = RedisSchema.session(alice.id(), started.session().sessionId());
        Map<String, String> saved = REDIS.commands().hgetall(sessionKey);
        domain.clock.advance(Duration.ofSeconds(1));
        join(domain.sessions.revokeAll(alice.id(), ""));
        // As after a failover to a replica that never saw the delete: the session hash is back.
        REDIS.commands().hset(sessionKey, saved);
        assertThat(validate(started.token()).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(touch(started.token()).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(REDIS.commands().exists(sessionKey)).isZero(); // and Touch finished the job
    }

    @Test
    void sessionsCreatedAfterARevokeAllAreLive() {
        domain.login("alice");
        join(domain.sessions.revokeAll(alice.id(), ""));
        domain.clock.advance(Duration.ofMillis(5));
        assertThat(validate(domain.login("alice").token()).isLive()).isTrue();
    }

    @Test
    void loginsBeyondThePerUserCapEndTheLeastRecentlyUsedSession() {
        SessionService.Started oldest = domain.login("alice");
        domain.clock.advance(Duration.ofSeconds(1));
        SessionService.Started middle = domain.login("alice");
        domain.clock.advance(Duration.ofSeconds(1));
        SessionService.Started newest = domain.login("alice");
        domain.clock.advance(Duration.ofSeconds(1));
        touch(oldest.token()); // now the middle one is the least recently used

        SessionService.Started fourth = domain.login("alice");

        assertThat(validate(middle.token()).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(List.of(oldest, newest, fourth)).allSatisfy(s -> assertThat(validate(s.token()).isLive()).isTrue());
        assertThat(join(domain.sessions.list(alice.id()))).hasSize(3);
    }

    private SessionService.Started login(SessionLimit.Requested limit) {
        return join(domain.sessions.login("alice", "password-alice", new ClientInfo("", "", ""), Map.of(), "", limit, () -> true));
    }

    /** Under deny-new a refused login writes nothing at all: no session, no index entry, no end reason. */
    @Test
    void aLoginDeniedAtTheLimitWritesNothingAndListsTheLiveSessions() {
        SessionLimit.Requested deny = new SessionLimit.Requested(java.util.Optional.of(SessionLimit.Policy.DENY_NEW), 2, "");
        SessionService.Started first = login(deny);
        domain.clock.advance(Duration.ofSeconds(1));
        SessionService.Started second = login(deny);
        domain.clock.advance(Duration.ofSeconds(1));
        Map<String, String> before = userKeys();

        assertThatThrownBy(() -> login(deny)).cause().isInstanceOfSatisfying(SessionLimitReachedException.class, refused -> {
            assertThat(refused.userId()).isEqualTo(alice.id());
            assertThat(refused.maxSessions()).isEqualTo(2);
            assertThat(refused.liveSessions()).extracting(Session::sessionId)
                    .containsExactly(first.session().sessionId(), second.session().sessionId());
        });
        assertThat(userKeys()).as("every key and value of the user's").isEqualTo(before);

        SessionService.Started replacing = login(new SessionLimit.Requested(java.util.Optional.of(SessionLimit.Policy.DENY_NEW), 2,
                first.session().sessionId()));
        assertThat(validate(first.token()).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(validate(first.token()).endReason()).isEqualTo(io.sessionauthority.service.revocation.EndReason.SESSION_LIMIT);
        assertThat(validate(second.token()).isLive()).isTrue();
        assertThat(validate(replacing.token()).isLive()).isTrue();
    }

    /**
     * Every key of alice's (her user, sessions, index, tombstones, end reasons, devices; the login
     * throttle's counters are its own) with its type, value and whether it expires.
     */
    private Map<String, String> userKeys() {
        var redis = REDIS.commands();
        Map<String, String> dump = new java.util.TreeMap<>();
        for (String key : redis.keys("*" + alice.id() + "*")) {
            String type = redis.type(key);
            String value = switch (type) {
                case "hash" -> new java.util.TreeMap<>(redis.hgetall(key)).toString();
                case "zset" -> redis.zrangeWithScores(key, 0, -1).toString();
                case "string" -> redis.get(key);
                default -> type;
            };
            dump.put(key, type + " " + value + " expires:" + (redis.pttl(key) > 0));
        }
        return dump;
    }

    @Test
    void listShowsLiveSessionsNewestFirstWithoutTokens() {
        SessionService.Started first = domain.login("alice");
        domain.clock.advance(Duration.ofSeconds(1));
        SessionService.Started second = domain.login("alice");
        domain.clock.advance(Duration.ofSeconds(1));
        SessionService.Started revoked = domain.login("alice");
        join(domain.sessions.revokeByToken(revoked.token()));

        List<Session> sessions = join(domain.sessions.list(alice.id()));

        assertThat(sessions).extracting(Session::sessionId)
                .containsExactly(second.session().sessionId(), first.session().sessionId());
        assertThat(sessions.toString()).doesNotContain(first.token()).doesNotContain(second.token());
    }

    @Test
    void listLeavesOutExpiredSessions() {
        domain.login("alice");
        domain.clock.advance(Duration.ofMinutes(31));
        assertThat(join(domain.sessions.list(alice.id()))).isEmpty();
    }

    @Test
    void listAndRevokeAllOfAnUnknownUserAreNotFound() {
        String nobody = UserIds.newId(new SecureRandom());
        assertThatThrownBy(() -> join(domain.sessions.list(nobody))).isInstanceOf(CompletionException.class).hasCauseInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> join(domain.sessions.revokeAll(nobody, ""))).isInstanceOf(CompletionException.class).hasCauseInstanceOf(NotFoundException.class);
        assertThat(REDIS.commands().keys("*" + nobody + "*")).isEmpty();
    }

    @Test
    void touchSetsAndRemovesAttributesWithinTheLimit() {
        String token = join(domain.sessions.login("alice", "password-alice", ClientInfo.NONE, Map.of("cart", "1", "page", "/"), "")).token();
        SessionCheck touched = join(domain.sessions.touch(token, Map.of("page", "/checkout", "step", "2"), List.of("cart")));
        assertThat(touched.session().attributes()).containsOnly(Map.entry("page", "/checkout"), Map.entry("step", "2"));
        assertThat(validate(token).session().attributes()).isEqualTo(touched.session().attributes());
    }

    @Test
    void touchThatWouldExceedTheAttributeLimitChangesNothing() {
        String token = join(domain.sessions.login("alice", "password-alice", ClientInfo.NONE,
                Map.of("a", "1", "b", "2", "c", "3"), "")).token();
        SessionCheck before = validate(token);
        domain.clock.advance(Duration.ofMinutes(5));

        assertThatThrownBy(() -> join(domain.sessions.touch(token, Map.of("d", "4", "e", "5"), List.of())))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("at most 4");
        assertThat(validate(token)).isEqualTo(before);
    }

    @Test
    void touchOfTheLastAttributeReplacedStaysWithinTheLimit() {
        String token = join(domain.sessions.login("alice", "password-alice", ClientInfo.NONE,
                Map.of("a", "1", "b", "2", "c", "3", "d", "4"), "")).token();
        SessionCheck touched = join(domain.sessions.touch(token, Map.of("e", "5", "a", "one"), List.of("b", "c")));
        assertThat(touched.session().attributes()).containsOnlyKeys("a", "d", "e");
    }

    @Test
    void sessionOfAUserThatDoesNotExistIsNeverStored() {
        User ghost = new User(UserIds.newId(new SecureRandom()), "ghost", "x", domain.clock.instant());
        Session session = new Session("AAAAAAAAAAAAAAAAAAAAAA", ghost.id(), "ghost", domain.clock.instant(),
                domain.clock.instant().plusSeconds(60), domain.clock.instant().plusSeconds(30), domain.clock.instant(),
                ClientInfo.NONE, Map.of());
        assertThatThrownBy(() -> join(domain.sessionStore.create(session, "x", 3, Duration.ofHours(1))))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(NotFoundException.class);
        assertThat(REDIS.commands().keys("*" + ghost.id() + "*")).isEmpty();
    }

    @Test
    void aLoginVerifiedAgainstAPasswordChangedMeanwhileStartsNoSession() {
        Session session = new Session("BBBBBBBBBBBBBBBBBBBBBB", alice.id(), "alice", domain.clock.instant(),
                domain.clock.instant().plusSeconds(60), domain.clock.instant().plusSeconds(30), domain.clock.instant(),
                ClientInfo.NONE, Map.of());
        // The hash the login checked is not the stored one any more: a ChangePassword won the race.
        assertThatThrownBy(() -> join(domain.sessionStore.create(session, "$2b$10$the-old-hash", 3, Duration.ofHours(1))))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(io.sessionauthority.service.error.InvalidCredentialsException.class);
        assertThat(REDIS.commands().keys("*:s:*")).isEmpty();
    }

    /**
     * A rehash at login (an imported hash, or a raised cost) keeps the password: a second login that
     * was verified against the replaced hash still starts its session. A password change does not.
     */
    @Test
    void aLoginRacingARehashStartsButOneRacingAPasswordChangeDoesNot() {
        java.util.function.IntFunction<Session> session = n -> new Session("BBBBBBBBBBBBBBBBBBBBB" + (char) ('A' + n), alice.id(), "alice",
                domain.clock.instant(), domain.clock.instant().plusSeconds(60), domain.clock.instant().plusSeconds(30),
                domain.clock.instant(), ClientInfo.NONE, Map.of());
        String original = alice.passwordHash();
        assertThat(join(domain.userStore.replaceHash(alice.id(), original, "$2b$12$the-rehashed-one"))).isTrue();

        assertThat(join(domain.sessionStore.create(session.apply(0), "$2b$12$the-rehashed-one", 3, Duration.ofHours(1)))).isEmpty();
        // Logins verified against the current hash meanwhile change nothing: a slower one still starts.
        assertThat(join(domain.sessionStore.create(session.apply(1), original, 3, Duration.ofHours(1)))).isEmpty();
        assertThat(REDIS.commands().hget(RedisSchema.user(alice.id()), "pwp")).as("a digest, not the replaced hash")
                .hasSize(40).doesNotContain(original);
        assertThatThrownBy(() -> join(domain.sessionStore.create(session.apply(2), "$2b$10$never-stored", 3, Duration.ofHours(1))))
                .hasCauseInstanceOf(io.sessionauthority.service.error.InvalidCredentialsException.class);

        assertThat(join(domain.userStore.replaceHash(alice.id(), "$2b$12$the-rehashed-one", "$2b$13$again"))).isTrue();
        assertThat(join(domain.userStore.changePassword(alice.id(), "$2b$13$again", "$2b$10$a-new-password", "", "",
                domain.clock.instant(), Duration.ofHours(1)))).isPresent();
        for (String stale : new String[] {"$2b$12$the-rehashed-one", "$2b$13$again"}) {
            assertThatThrownBy(() -> join(domain.sessionStore.create(session.apply(3), stale, 3, Duration.ofHours(1))))
                    .as(stale).hasCauseInstanceOf(io.sessionauthority.service.error.InvalidCredentialsException.class);
        }
    }

    @Test
    void aNameRemovedTwiceIsCountedOnceSoTheCapHolds() {
        String token = join(domain.sessions.login("alice", "password-alice", ClientInfo.NONE,
                Map.of("x", "1", "k1", "2", "k2", "3"), "")).token();
        io.sessionauthority.service.session.SessionTokens.Reference ref =
                io.sessionauthority.service.session.SessionTokens.parse("token", token);
        // Straight to the store, past the policy that rejects duplicate names, as a bug or a future caller might.
        assertThatThrownBy(() -> join(domain.sessionStore.touch(ref.userId(), ref.sessionId(), domain.clock.instant(),
                Duration.ofMinutes(30), Map.of("n1", "1", "n2", "2", "n3", "3"), List.of("x", "x", "x"), 4, Duration.ofHours(1))))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InvalidArgumentException.class);
        assertThat(validate(token).session().attributes()).hasSize(3);
    }

    @Test
    void revokeAllButOneNeverRevivesASessionAnEarlierRevokeAllEnded() {
        SessionService.Started kept = domain.login("alice");
        String sessionKey = RedisSchema.session(alice.id(), kept.session().sessionId());
        Map<String, String> saved = REDIS.commands().hgetall(sessionKey);
        join(domain.sessions.revokeAll(alice.id(), ""));
        REDIS.commands().hset(sessionKey, saved); // its delete lost, as from an older copy of the data
        join(domain.sessions.revokeAll(alice.id(), kept.session().sessionId()));
        assertThat(validate(kept.token()).status()).isEqualTo(SessionStatus.REVOKED);
    }

    @Test
    void revokingAnExpiredSessionLeavesItExpired() {
        String token = domain.login("alice").token();
        domain.clock.advance(Duration.ofMinutes(31));
        assertThat(validate(token).status()).isEqualTo(SessionStatus.EXPIRED);
        join(domain.sessions.revokeAll(alice.id(), ""));
        assertThat(validate(token).status()).isIn(SessionStatus.EXPIRED, SessionStatus.REVOKED);
    }

    @Test
    void tombstonesAreForgottenOnTimeEvenWithoutAnotherWrite() {
        String token = domain.login("alice").token();
        join(domain.sessions.revokeByToken(token));
        domain.clock.advance(Duration.ofMinutes(61));
        assertThat(validate(token).status()).isEqualTo(SessionStatus.UNKNOWN);
    }
}
