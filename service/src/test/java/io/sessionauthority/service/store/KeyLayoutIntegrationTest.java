package io.sessionauthority.service.store;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.sync.RedisCommands;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.user.User;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Holds the key layout documented in {@link RedisKeys}, so the documentation cannot rot. */
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

    @Test
    void keysAreExactlyTheDocumentedOnesWithTheDocumentedTypesAndTtls() {
        User ivan = domain.createUser("ivan");
        SessionService.Started kept = join(domain.sessions.login("ivan", "password-ivan",
                new ClientInfo("198.51.100.4", "agent", "desk"), Map.of("cart", "3"), ""));
        SessionService.Started revoked = domain.login("ivan");
        join(domain.sessions.revokeByToken(revoked.token()));
        RedisCommands<String, String> redis = REDIS.commands();
        String uid = ivan.id();
        String sid = kept.session().sessionId();

        assertThat(new TreeSet<>(redis.keys("*"))).containsExactlyInAnyOrder(
                "sa:username:ivan",
                "sa:lookalike:ivan",
                "sa:{" + uid + "}:user",
                "sa:{" + uid + "}:devices",
                "sa:{" + uid + "}:s:" + sid,
                "sa:{" + uid + "}:sessions",
                "sa:{" + uid + "}:revoked");

        assertThat(redis.type("sa:username:ivan")).isEqualTo("string");
        assertThat(redis.get("sa:username:ivan")).isEqualTo(uid);
        assertThat(redis.ttl("sa:username:ivan")).isEqualTo(-1);

        assertThat(redis.type("sa:lookalike:ivan")).isEqualTo("string");
        assertThat(redis.get("sa:lookalike:ivan")).isEqualTo(uid);
        assertThat(redis.ttl("sa:lookalike:ivan")).isEqualTo(-1);

        assertThat(redis.type("sa:{" + uid + "}:devices")).isEqualTo("zset");
        assertThat(redis.zcard("sa:{" + uid + "}:devices")).isEqualTo(2); // two logins without a device token
        String device = io.sessionauthority.service.throttle.DeviceTokens.parse("d", kept.deviceToken()).orElseThrow().deviceId();
        assertThat(redis.zscore("sa:{" + uid + "}:devices", device).longValue())
                .isEqualTo(domain.clock.instant().plus(java.time.Duration.ofDays(90)).toEpochMilli());
        assertThat(redis.pttl("sa:{" + uid + "}:devices")).isBetween(1L, java.time.Duration.ofDays(90).toMillis());

        assertThat(redis.type("sa:{" + uid + "}:user")).isEqualTo("hash");
        assertThat(redis.hkeys("sa:{" + uid + "}:user")).containsExactlyInAnyOrder("un", "pw", "ct");
        assertThat(redis.ttl("sa:{" + uid + "}:user")).isEqualTo(-1);

        String sessionKey = "sa:{" + uid + "}:s:" + sid;
        assertThat(redis.type(sessionKey)).isEqualTo("hash");
        assertThat(redis.hkeys(sessionKey)).containsExactlyInAnyOrder("g", "un", "ct", "ax", "ix", "ls", "ip", "ua", "dn", "a:cart");
        assertThat(redis.pttl(sessionKey)).isPositive();
        assertThat(redis.objectEncoding(sessionKey)).isIn("listpack", "ziplist"); // small and compact

        assertThat(redis.type("sa:{" + uid + "}:sessions")).isEqualTo("zset");
        assertThat(redis.zrange("sa:{" + uid + "}:sessions", 0, -1)).containsExactly(sid);
        assertThat(redis.zscore("sa:{" + uid + "}:sessions", sid).longValue())
                .isEqualTo(kept.session().idleExpireTime().toEpochMilli());
        assertThat(redis.pttl("sa:{" + uid + "}:sessions")).isPositive();

        assertThat(redis.type("sa:{" + uid + "}:revoked")).isEqualTo("zset");
        assertThat(redis.zrange("sa:{" + uid + "}:revoked", 0, -1)).containsExactly(revoked.session().sessionId());
        assertThat(redis.pttl("sa:{" + uid + "}:revoked")).isPositive();
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
