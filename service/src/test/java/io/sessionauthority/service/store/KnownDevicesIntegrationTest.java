package io.sessionauthority.service.store;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.sessionauthority.service.testing.RedisServerProcess;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A user's known devices (login throttling's device tokens) are fields of the user's hash: capped,
 * pruned by each login, and moved there from the sorted set that versions before kept them in.
 */
@Tag("redis")
class KnownDevicesIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();
    private static final String USER = "dTgEWSswDQbACAHbJZ8fwg";
    private static final Instant NOW = Instant.ofEpochMilli(1_800_000_000_000L);
    private static final Instant LATER = NOW.plus(Duration.ofDays(90));

    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisThrottleStore store;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        REDIS.commands().hset(RedisSchema.user(USER), "un", "alice");
        client = RedisClient.create(REDIS.uri());
        connection = client.connect();
        store = new RedisThrottleStore(connection.async());
    }

    @AfterEach
    void tearDown() {
        connection.close();
        client.shutdown();
    }

    private void remember(String device, Instant until, int max) {
        join(store.rememberDevice(USER, device, until, max, NOW, "", NOW));
    }

    private boolean knows(String device) {
        return join(store.knowsDevice("alice", USER, device, NOW));
    }

    @Test
    void pastTheCapTheDevicesForgottenFirstAreThoseThatExpireFirst() {
        remember("laptop", LATER.plusSeconds(2), 2);
        remember("phone", LATER, 2);
        remember("tablet", LATER.plusSeconds(1), 2);
        assertThat(knows("phone")).isFalse();
        assertThat(knows("laptop")).isTrue();
        assertThat(knows("tablet")).isTrue();
        assertThat(REDIS.commands().hkeys(RedisSchema.user(USER))).containsExactlyInAnyOrder("un", "d:laptop", "d:tablet");
    }

    @Test
    void anExpiredDeviceIsUnknownAndTheNextLoginForgetsIt() {
        remember("laptop", NOW.plusSeconds(1), 20);
        assertThat(join(store.knowsDevice("alice", USER, "laptop", NOW.plusSeconds(1)))).isFalse();
        join(store.rememberDevice(USER, "phone", LATER, 20, NOW.plusSeconds(1), "", NOW));
        assertThat(REDIS.commands().hkeys(RedisSchema.user(USER))).containsExactlyInAnyOrder("un", "d:phone");
    }

    @Test
    void aDeviceIsKnownOnlyForItsOwnUsername() {
        remember("laptop", LATER, 20);
        assertThat(join(store.knowsDevice("mallory", USER, "laptop", NOW))).isFalse();
    }

    @Test
    void devicesTheVersionBeforeRememberedAreKnownAndTheNextLoginMovesThemIntoTheUsersHash() {
        String before = RedisSchema.devices(USER);
        REDIS.commands().zadd(before, LATER.toEpochMilli(), "laptop");
        REDIS.commands().zadd(before, NOW.minusSeconds(1).toEpochMilli(), "lost");
        REDIS.commands().pexpireat(before, LATER.toEpochMilli());
        assertThat(knows("laptop")).isTrue();
        assertThat(knows("lost")).isFalse();

        remember("phone", LATER.plusSeconds(1), 20);
        assertThat(REDIS.commands().exists(before)).isZero();
        assertThat(REDIS.commands().hget(RedisSchema.user(USER), "d:laptop")).isEqualTo(Long.toString(LATER.toEpochMilli()));
        assertThat(REDIS.commands().hexists(RedisSchema.user(USER), "d:lost")).isFalse();
        assertThat(knows("laptop")).isTrue();
        assertThat(knows("phone")).isTrue();
    }

    @Test
    void aDeviceInBothPlacesKeepsTheLaterExpiryWhenMoved() {
        REDIS.commands().zadd(RedisSchema.devices(USER), LATER.plusSeconds(5).toEpochMilli(), "laptop");
        REDIS.commands().hset(RedisSchema.user(USER), "d:laptop", Long.toString(LATER.toEpochMilli()));
        remember("phone", LATER, 20);
        assertThat(REDIS.commands().hget(RedisSchema.user(USER), "d:laptop")).isEqualTo(Long.toString(LATER.plusSeconds(5).toEpochMilli()));
    }

    @Test
    void theTokenALoginRotatedOutIsKnownOnlyUntilItsGraceAndNeverLonger() {
        remember("laptop-1", LATER, 20);
        Instant grace = NOW.plusSeconds(60);
        join(store.rememberDevice(USER, "laptop-2", LATER, 20, NOW, "laptop-1", grace));
        assertThat(REDIS.commands().hget(RedisSchema.user(USER), "d:laptop-1")).isEqualTo(Long.toString(grace.toEpochMilli()));
        // A grace later than what is left of its lifetime never lengthens it; an unknown one is not added.
        remember("tablet", NOW.plusSeconds(30), 20);
        join(store.rememberDevice(USER, "laptop-3", LATER, 20, NOW, "tablet", grace));
        join(store.rememberDevice(USER, "laptop-4", LATER, 20, NOW, "stranger", grace));
        assertThat(REDIS.commands().hget(RedisSchema.user(USER), "d:tablet")).isEqualTo(Long.toString(NOW.plusSeconds(30).toEpochMilli()));
        assertThat(REDIS.commands().hexists(RedisSchema.user(USER), "d:stranger")).isFalse();
    }

    @Test
    void aRevokeAllForgetsEveryDeviceInEitherPlaceButTheOneKeptEvenIfOnlyTheSetHeldIt() {
        remember("phone", LATER, 20);
        REDIS.commands().zadd(RedisSchema.devices(USER), LATER.toEpochMilli(), "laptop");
        REDIS.commands().zadd(RedisSchema.devices(USER), LATER.toEpochMilli(), "tablet");
        RedisSessionStore sessions = new RedisSessionStore(connection.async(), io.opentelemetry.api.OpenTelemetry.noop().getTracer("test"));
        join(sessions.revokeAll(USER, "", "laptop", io.sessionauthority.service.revocation.EndReason.REVOKE_ALL, NOW, Duration.ofHours(1)));
        assertThat(REDIS.commands().exists(RedisSchema.devices(USER))).isZero();
        assertThat(knows("laptop")).isTrue();
        assertThat(knows("phone")).isFalse();
        assertThat(knows("tablet")).isFalse();
    }

    @Test
    void nothingIsWrittenForAUserDeletedMeanwhile() {
        REDIS.commands().del(RedisSchema.user(USER));
        remember("laptop", LATER, 20);
        assertThat(REDIS.commands().keys("*")).isEmpty();
    }
}
