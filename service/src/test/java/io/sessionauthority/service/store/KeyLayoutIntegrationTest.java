package io.sessionauthority.service.store;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.api.sync.RedisCommands;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.user.User;
import io.sessionauthority.service.throttle.DeviceTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Holds the Redis schema documented in {@link RedisSchema}, so the documentation cannot rot. */
@Tag("redis")
class KeyLayoutIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();
    private DomainFixture domain;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        domain = new DomainFixture(REDIS.uri());
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    /**
     * Every operation that writes, one after the other: after each, the keys are exactly the ones
     * {@link RedisSchema} documents, with its types, fields and exact expiry times (the service's
     * clock decides them, so they are known to the millisecond).
     */
    @Test
    void everyOperationWritesExactlyTheDocumentedKeysFieldsAndExpiries() {
        RedisCommands<String, String> redis = REDIS.commands();
        Duration idle = Duration.ofMinutes(30);
        Duration forget = Duration.ofHours(1);
        Duration window = Duration.ofMinutes(15);

        // CreateUser: the username, its look-alike claim and the user hash; none expires.
        User ivan = domain.createUser("ivan");
        String uid = ivan.id();
        String user = "sa:{" + uid + "}:user";
        assertThat(keys()).containsExactlyInAnyOrder("sa:username:ivan", "sa:lookalike:ivan", user);
        assertThat(redis.type("sa:username:ivan")).isEqualTo("string");
        assertThat(redis.get("sa:username:ivan")).isEqualTo(uid);
        assertThat(redis.get("sa:lookalike:ivan")).isEqualTo(uid);
        assertThat(redis.hkeys(user)).containsExactlyInAnyOrder("un", "pw", "ct");
        assertThat(List.of(redis.pttl("sa:username:ivan"), redis.pttl("sa:lookalike:ivan"), redis.pttl(user))).containsOnly(-1L);

        // Login: a session, its entry in the user's index, the device that logged in and its (shared)
        // client profile.
        Instant loginTime = domain.clock.instant();
        SessionService.Started kept = join(domain.sessions.login("ivan", "password-ivan",
                new ClientInfo("198.51.100.4", "agent", "desk"), Map.of("cart", "3"), ""));
        String sid = kept.session().sessionId();
        String session = "sa:{" + uid + "}:s:" + sid;
        String device = DeviceTokens.parse("d", kept.deviceToken()).orElseThrow().deviceId();
        String clients = "sa:client:" + redis.hget(session, "p");
        assertThat(keys()).containsExactlyInAnyOrder("sa:username:ivan", "sa:lookalike:ivan", user, session, clients);
        assertThat(redis.type(session)).isEqualTo("hash");
        // No generation before the first revoke-all (absent reads as 0), no username (the user's).
        assertThat(redis.hkeys(session)).containsExactlyInAnyOrder("ct", "ax", "ix", "ls", "ip", "p", "a:cart");
        assertThat(redis.type(clients)).isEqualTo("string");
        assertThat(redis.get(clients)).isEqualTo("desk\nagent");
        assertThat(redis.pexpiretime(clients)).isEqualTo(millis(kept.session().expireTime()));
        assertThat(redis.objectEncoding(session)).isIn("listpack", "ziplist"); // small and compact
        assertThat(redis.pexpiretime(session)).isEqualTo(millis(loginTime.plus(idle)));
        // The index entry and the known device are fields of the user's hash, which still never expires
        // and stays compact.
        assertThat(redis.hkeys(user)).containsExactlyInAnyOrder("un", "pw", "ct", "s:" + sid, "d:" + device);
        assertThat(redis.hget(user, "s:" + sid)).isEqualTo(Long.toString(millis(loginTime.plus(idle))));
        assertThat(redis.objectEncoding(user)).isIn("listpack", "ziplist");
        assertThat(redis.hget(user, "d:" + device)).isEqualTo(Long.toString(millis(loginTime.plus(Duration.ofDays(90)))));
        assertThat(redis.pttl(user)).isEqualTo(-1L);

        // Touch, ten minutes on: the session and its index entry slide.
        domain.clock.advance(Duration.ofMinutes(10));
        Instant touchTime = domain.clock.instant();
        join(domain.sessions.touch(kept.token(), Map.of("page", "/"), List.of("cart")));
        assertThat(redis.hkeys(session)).contains("a:page").doesNotContain("a:cart");
        assertThat(redis.pexpiretime(session)).isEqualTo(millis(touchTime.plus(idle)));
        assertThat(redis.hget(user, "s:" + sid)).isEqualTo(Long.toString(millis(touchTime.plus(idle))));

        // A wrong password from an address: the four counters of an unknown device (the day's lives a
        // day); the attempt's id stood beside each count until the failure was settled.
        assertThatThrownBy(() -> join(domain.sessions.login("ivan", "wrong", new ClientInfo("198.51.100.4", "", ""), Map.of(), "")))
                .isInstanceOf(CompletionException.class);
        List<String> counters = List.of("sa:throttle:user:ivan", "sa:throttle:user_ip:ivan|198.51.100.4", "sa:throttle:ip:198.51.100.4");
        for (String counter : counters) {
            assertThat(redis.type(counter)).as(counter).isEqualTo("hash");
            assertThat(redis.hgetall(counter)).as(counter).containsExactly(Map.entry("f", "1"));
            assertThat(redis.pexpiretime(counter)).as(counter).isEqualTo(millis(touchTime.plus(window)));
        }
        String day = "sa:throttle:user_day:ivan";
        assertThat(redis.hgetall(day)).containsExactly(Map.entry("f", "1"));
        assertThat(redis.pexpiretime(day)).isEqualTo(millis(touchTime.plus(Duration.ofDays(1))));
        // A wrong password from the known device: its own counter only.
        assertThatThrownBy(() -> join(domain.sessions.login("ivan", "wrong", ClientInfo.NONE, Map.of(), kept.deviceToken())))
                .isInstanceOf(CompletionException.class);
        String deviceCounter = "sa:throttle:device:" + device;
        assertThat(redis.hgetall(deviceCounter)).containsExactly(Map.entry("f", "1"));
        assertThat(redis.pexpiretime(deviceCounter)).isEqualTo(millis(touchTime.plus(window)));

        // Logout of a second session: a tombstone, remembered for forget-after.
        SessionService.Started other = domain.login("ivan");
        String revoked = "sa:{" + uid + "}:revoked";
        join(domain.sessions.revokeByToken(other.token()));
        assertThat(redis.exists("sa:{" + uid + "}:s:" + other.session().sessionId())).isZero();
        assertThat(redis.hexists(user, "s:" + other.session().sessionId())).isFalse();
        assertThat(redis.zscore(revoked, other.session().sessionId()).longValue()).isEqualTo(millis(touchTime.plus(forget)));
        assertThat(redis.pexpiretime(revoked)).isEqualTo(millis(touchTime.plus(forget)));
        // ...and why it ended, kept as long as the tombstone.
        String ends = "sa:{" + uid + "}:ends";
        assertThat(redis.type(ends)).isEqualTo("hash");
        assertThat(redis.hgetall(ends)).containsExactly(Map.entry(other.session().sessionId(), "l"));
        assertThat(redis.pexpiretime(ends)).isEqualTo(millis(touchTime.plus(forget)));

        // Revoke-all but the kept session: a new generation on the user, the kept session named.
        SessionService.Started third = domain.login("ivan");
        join(domain.sessions.revokeAll(uid, sid, kept.deviceToken())); // the kept session's device stays known
        assertThat(redis.hgetall(user)).containsEntry("gen", "1").containsEntry("genk", sid).containsEntry("genr", "r");
        assertThat(redis.hkeys(user)).as("the known devices but the kept session's forgotten").filteredOn(field -> field.startsWith("d:"))
                .containsExactly("d:" + device);
        assertThat(redis.hgetall(ends)).containsEntry(third.session().sessionId(), "r").hasSize(2);
        assertThat(redis.hkeys(user)).as("only the kept session left in the index").filteredOn(field -> field.startsWith("s:"))
                .containsExactly("s:" + sid);

        // ChangePassword keeping the session: a new hash and another generation.
        String oldHash = redis.hget(user, "pw");
        join(domain.users.changePassword(uid, "password-ivan", "a new passphrase", sid, "", kept.deviceToken()));
        assertThat(redis.hget(user, "pw")).isNotEqualTo(oldHash).startsWith("$2b$10$");
        assertThat(redis.hgetall(user)).containsEntry("gen", "2").containsEntry("genk", sid).containsEntry("genr", "p");
        assertThat(redis.hkeys(user)).as("the other logins' devices forgotten, the kept session's known")
                .containsExactlyInAnyOrder("un", "pw", "ct", "gen", "genk", "genr", "s:" + sid, "d:" + device);

        // Each of the three ended sessions in the revocation log, with its reason; no other field.
        String log = "sa:{revocations}";
        assertThat(redis.type(log)).isEqualTo("stream");
        var events = redis.xrange(log, io.lettuce.core.Range.create("-", "+"));
        assertThat(events).extracting(event -> event.getBody().get("r")).containsExactly("l", "r", "p");
        assertThat(events).allSatisfy(event -> assertThat(event.getBody()).containsOnlyKeys("u", "s", "x", "r", "t")
                .containsEntry("u", uid));
        assertThat(events.get(0).getBody()).containsEntry("s", other.session().sessionId()).containsEntry("x", "");
        assertThat(events.get(1).getBody()).containsEntry("s", "").containsEntry("x", sid);

        // Nothing else was ever written. The successes since cleared their own counters: the username's
        // (logins without an address count only on it) and the device's (the password change from it);
        // the day's counter keeps its failure.
        assertThat(keys()).containsExactlyInAnyOrder("sa:username:ivan", "sa:lookalike:ivan", user, session, clients,
                revoked, ends,
                "sa:throttle:user_ip:ivan|198.51.100.4", "sa:throttle:ip:198.51.100.4", day, log);
        assertThat(redis.hgetall(day)).containsExactly(Map.entry("f", "1"));
    }

    private static Set<String> keys() {
        return new TreeSet<>(REDIS.commands().keys("*"));
    }

    private static long millis(Instant instant) {
        return instant.toEpochMilli();
    }

    @Test
    void everyKeyOfOneUserSharesOneClusterSlot() {
        User judy = domain.createUser("judy");
        domain.login("judy");
        RedisCommands<String, String> redis = REDIS.commands();
        Set<Long> slots = new TreeSet<>();
        for (String key : redis.keys("*" + judy.id() + "*")) {
            slots.add(io.lettuce.core.cluster.SlotHash.getSlot(key) * 1L);
        }
        assertThat(slots).hasSize(1);
    }

    @Test
    void theTokenIsStoredInNoForm() {
        domain.createUser("mallory");
        SessionService.Started started = domain.login("mallory");
        String token = started.token();
        String body = token.substring("sat1_".length());
        String secret = body.substring(22);
        byte[] secretBytes = java.util.Base64.getUrlDecoder().decode(body);
        List<String> forms = List.of(token, body, secret, secret.substring(0, 16),
                HexFormat.of().formatHex(secretBytes).substring(32),
                java.util.Base64.getEncoder().encodeToString(secretBytes).substring(24, 48));

        RedisCommands<String, String> redis = REDIS.commands();
        List<String> everything = new ArrayList<>();
        for (String key : redis.keys("*")) {
            everything.add(key);
            switch (redis.type(key)) {
                case "string" -> everything.add(redis.get(key));
                case "hash" -> redis.hgetall(key).forEach((field, value) -> {
                    everything.add(field);
                    everything.add(value);
                });
                case "zset" -> everything.addAll(redis.zrange(key, 0, -1));
                case "stream" -> redis.xrange(key, io.lettuce.core.Range.create("-", "+")).forEach(event -> {
                    everything.addAll(event.getBody().keySet());
                    everything.addAll(event.getBody().values());
                });
                default -> throw new AssertionError("undocumented key type: " + key);
            }
        }
        assertThat(everything).isNotEmpty().allSatisfy(stored -> assertThat(forms).noneMatch(stored::contains));
    }

    @Test
    void scriptsRecoverFromAnEmptyScriptCache() {
        domain.createUser("oscar");
        String token = domain.login("oscar").token();
        REDIS.commands().scriptFlush(); // as after a restart or a failover
        assertThat(join(domain.sessions.validate(token)).isLive()).isTrue();
        assertThat(join(domain.sessions.touch(token, Map.of(), List.of())).isLive()).isTrue();
    }
}
