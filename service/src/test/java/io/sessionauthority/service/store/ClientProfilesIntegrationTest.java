package io.sessionauthority.service.store;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.sync.RedisCommands;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.SessionTokens;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.user.User;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Device metadata is stored once for every session with the same content (ClientProfiles), yet every
 * read answers each session with its own: Validate (plain read and script, on a replica that has
 * never seen the profile), Touch and ListSessions, for sessions written by earlier versions too
 * (with a profile of their user's own, or with none).
 */
@Tag("redis")
class ClientProfilesIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();
    private static final String SAFARI =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

    private DomainFixture domain;
    private RedisCommands<String, String> redis;
    private String listpackValueLimit;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        redis = REDIS.commands();
        // Redis' default: the point of profiles is that sessions stay compact without tuning Redis.
        listpackValueLimit = redis.configGet("hash-max-listpack-value").get("hash-max-listpack-value");
        redis.configSet("hash-max-listpack-value", "64");
        domain = new DomainFixture(REDIS.uri());
    }

    @AfterEach
    void tearDown() {
        redis.configSet("hash-max-listpack-value", listpackValueLimit);
        domain.close();
    }

    private SessionService.Started login(String username, ClientInfo client) {
        return join(domain.sessions.login(username, "password-" + username, client, Map.of(), ""));
    }

    private String sessionKey(User user, SessionService.Started started) {
        return "sa:{" + user.id() + "}:s:" + started.session().sessionId();
    }

    private String profileKey(User user, SessionService.Started started) {
        return "sa:client:" + redis.hget(sessionKey(user, started), "p");
    }

    @Test
    void sessionsWithTheSameDeviceShareOneProfileAcrossUsersAndEveryReadAnswersItsOwn() {
        User mia = domain.createUser("mia");
        User bob = domain.createUser("bob");
        ClientInfo miasPhone = new ClientInfo("192.0.2.1", SAFARI, "iPhone");
        ClientInfo bobsPhone = new ClientInfo("192.0.2.77", SAFARI, "iPhone");
        // A long device name: the profile is one string, and the session hash holds only its id.
        ClientInfo laptop = new ClientInfo("2001:db8::1", FIREFOX, "x" + "ж".repeat(40));
        SessionService.Started first = login("mia", miasPhone);
        SessionService.Started second = login("bob", bobsPhone);
        SessionService.Started third = login("mia", laptop);

        assertThat(redis.keys("sa:client:*")).as("one profile per distinct device, whoever's").hasSize(2);
        assertThat(profileKey(mia, first)).isEqualTo(profileKey(bob, second)).matches("sa:client:[A-Za-z0-9_-]{16}");
        assertThat(redis.get(profileKey(mia, first))).isEqualTo("iPhone\n" + SAFARI);
        assertThat(redis.get(profileKey(mia, third))).isEqualTo("x" + "ж".repeat(40) + "\n" + FIREFOX);
        assertThat(redis.keys("sa:{*}:clients")).as("no user's own profiles any more").isEmpty();
        Map<SessionService.Started, User> owners = Map.of(first, mia, second, bob, third, mia);
        owners.forEach((started, owner) -> assertThat(redis.objectEncoding(sessionKey(owner, started))).isEqualTo("listpack"));

        Map<SessionService.Started, ClientInfo> expected = Map.of(first, miasPhone, second, bobsPhone, third, laptop);
        try (DomainFixture freshReplica = new DomainFixture(REDIS.uri())) {
            expected.forEach((started, client) -> {
                // A replica that never read the profile (it reads it), then one that has (the plain read alone).
                assertThat(join(freshReplica.sessions.validate(started.token(), true)).session().client()).isEqualTo(client);
                Session validated = join(freshReplica.sessions.validate(started.token(), true)).session();
                assertThat(validated.client()).isEqualTo(client);
                assertThat(validated.username()).isEqualTo(owners.get(started) == mia ? "mia" : "bob");
                assertThat(join(domain.sessions.touch(started.token(), Map.of(), List.of())).session().client()).isEqualTo(client);
            });
        }
        try (DomainFixture freshReplica = new DomainFixture(REDIS.uri())) {
            assertThat(join(freshReplica.sessions.list(mia.id())))
                    .extracting(session -> session.sessionId(), Session::client)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(first.session().sessionId(), miasPhone),
                            org.assertj.core.groups.Tuple.tuple(third.session().sessionId(), laptop));
        }

        SessionService.Started plain = login("mia", ClientInfo.NONE);
        assertThat(redis.hexists(sessionKey(mia, plain), "p")).as("no metadata, no profile").isFalse();
        assertThat(join(domain.sessions.validate(plain.token(), true)).session().client()).isEqualTo(ClientInfo.NONE);
    }

    @Test
    void aReplicasFirstSightOfAProfileCostsOneGetAndNoScript() {
        User joe = domain.createUser("joe");
        SessionService.Started started = login("joe", new ClientInfo("192.0.2.4", SAFARI, "phone"));
        try (DomainFixture freshReplica = new DomainFixture(REDIS.uri())) {
            redis.configResetstat();
            assertThat(join(freshReplica.sessions.validate(started.token(), true)).session().client())
                    .isEqualTo(new ClientInfo("192.0.2.4", SAFARI, "phone"));
            assertThat(calls("evalsha") + calls("eval")).as("scripts run").isZero();
            assertThat(calls("get")).as("profile reads").isOne();
            join(freshReplica.sessions.validate(started.token(), true));
            assertThat(calls("get")).as("profile reads, the second time").isOne();
        }
    }

    /** How often Redis ran {@code command} since the last CONFIG RESETSTAT. */
    private long calls(String command) {
        return redis.info("commandstats").lines().filter(line -> line.startsWith("cmdstat_" + command + ":"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"))).sum();
    }

    @Test
    void aProfileLivesAsLongAsTheLastSessionThatUsesIt() {
        domain.createUser("leo");
        domain.createUser("eve");
        ClientInfo phone = new ClientInfo("", SAFARI, "phone");
        SessionService.Started early = login("leo", phone);
        String profile = "sa:client:" + redis.hget("sa:{" + early.session().userId() + "}:s:" + early.session().sessionId(), "p");
        assertThat(redis.pexpiretime(profile)).isEqualTo(early.session().expireTime().toEpochMilli());

        domain.clock.advance(Duration.ofMinutes(10));
        SessionService.Started later = login("eve", phone);
        assertThat(redis.pexpiretime(profile)).as("moved to the later session's absolute expiry")
                .isEqualTo(later.session().expireTime().toEpochMilli());
        domain.clock.advance(Duration.ofMinutes(-5));
        login("leo", phone);
        assertThat(redis.pexpiretime(profile)).as("never moved earlier").isEqualTo(later.session().expireTime().toEpochMilli());
    }

    @Test
    void aSessionWhoseProfileIsGoneStaysLiveWithoutDeviceMetadata() {
        User kim = domain.createUser("kim");
        SessionService.Started started = login("kim", new ClientInfo("192.0.2.9", SAFARI, "tablet"));
        redis.del(profileKey(kim, started)); // say, a failover that lost the write
        try (DomainFixture freshReplica = new DomainFixture(REDIS.uri())) {
            Session session = join(freshReplica.sessions.validate(started.token(), true)).session();
            assertThat(session.client()).isEqualTo(new ClientInfo("192.0.2.9", "", ""));
            assertThat(session.username()).isEqualTo("kim");
            assertThat(join(freshReplica.sessions.list(kim.id()))).singleElement()
                    .satisfies(listed -> assertThat(listed.client()).isEqualTo(new ClientInfo("192.0.2.9", "", "")));
        }
    }

    @Test
    void aSessionWhoseProfileCannotBeReadStaysLiveWithoutDeviceMetadata() {
        User ann = domain.createUser("ann");
        SessionService.Started started = login("ann", new ClientInfo("192.0.2.10", SAFARI, "tablet"));
        String profile = profileKey(ann, started);
        redis.del(profile);
        redis.hset(profile, "not", "a string"); // every GET of it fails (WRONGTYPE), as a read from a shard that is down would
        try (DomainFixture freshReplica = new DomainFixture(REDIS.uri())) {
            Session session = join(freshReplica.sessions.validate(started.token(), true)).session();
            assertThat(session.client()).isEqualTo(new ClientInfo("192.0.2.10", "", ""));
            redis.del(profile);
            redis.set(profile, "tablet\n" + SAFARI);
            assertThat(join(freshReplica.sessions.validate(started.token(), true)).session().client())
                    .as("nothing remembered of the failed read").isEqualTo(new ClientInfo("192.0.2.10", SAFARI, "tablet"));
        }
    }

    /** As the version before shared profiles wrote a session: its profile in the user's own hash, in 64-byte slices. */
    private SessionService.Started storedWithOwnProfile(User user, String deviceName, String userAgent) {
        SessionTokens.Issued issued = new SessionTokens(new SecureRandom()).issue(user.id());
        String key = "sa:{" + user.id() + "}:s:" + issued.sessionId();
        String clients = "sa:{" + user.id() + "}:clients";
        byte[] content = (deviceName + "\n" + userAgent).getBytes(StandardCharsets.UTF_8);
        String id = "own" + issued.sessionId().substring(0, 5);
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(REDIS.uri());
        try (var connection = client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
            for (int slice = 0; slice * 64 < content.length; slice++) {
                String field = slice == 0 ? id : id + "." + slice;
                connection.sync().hset(clients.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8),
                        java.util.Arrays.copyOfRange(content, slice * 64, Math.min(content.length, (slice + 1) * 64)));
            }
        } finally {
            client.shutdown();
        }
        long now = domain.clock.millis();
        long idleExpiry = now + Duration.ofMinutes(30).toMillis();
        redis.hset(key, Map.of("ct", Long.toString(now), "ax", Long.toString(now + Duration.ofHours(12).toMillis()),
                "ix", Long.toString(idleExpiry), "ls", Long.toString(now), "ip", "198.51.100.9", "c", id));
        redis.pexpireat(key, idleExpiry);
        redis.zadd("sa:{" + user.id() + "}:sessions", idleExpiry, issued.sessionId());
        return new SessionService.Started(issued.token(), join(domain.sessions.validate(issued.token(), true)).session(), "");
    }

    @Test
    void aSessionWithItsUsersOwnProfileStillAnswersItAndTheProfileGoesWithItsLastSession() {
        User ada = domain.createUser("ada");
        // Its 2-byte letters at odd offsets: byte 64, where the first slice ends, is inside one of them.
        String deviceName = "x" + "ж".repeat(40);
        SessionService.Started old = storedWithOwnProfile(ada, deviceName, FIREFOX);
        ClientInfo stored = new ClientInfo("198.51.100.9", FIREFOX, deviceName);
        try (DomainFixture freshReplica = new DomainFixture(REDIS.uri())) {
            assertThat(join(freshReplica.sessions.validate(old.token(), true)).session().client()).isEqualTo(stored);
            assertThat(join(freshReplica.sessions.validate(old.token(), true)).session().client()).isEqualTo(stored);
            assertThat(join(freshReplica.sessions.touch(old.token(), Map.of(), List.of())).session().client()).isEqualTo(stored);
        }
        SessionService.Started current = login("ada", new ClientInfo("192.0.2.3", SAFARI, "phone"));
        assertThat(join(domain.sessions.list(ada.id())))
                .extracting(Session::client)
                .containsExactlyInAnyOrder(stored, new ClientInfo("192.0.2.3", SAFARI, "phone"));
        assertThat(redis.exists("sa:{" + ada.id() + "}:clients")).isOne();

        join(domain.sessions.revokeByToken(old.token()));
        assertThat(redis.exists("sa:{" + ada.id() + "}:clients")).as("no session uses it any more").isZero();
        assertThat(join(domain.sessions.validate(current.token(), true)).session().client().deviceName()).isEqualTo("phone");
    }

    @Test
    void aSessionStoredBeforeProfilesStillAnswersItsOwnMetadata() {
        User ada = domain.createUser("ada");
        SessionTokens.Issued issued = new SessionTokens(new SecureRandom()).issue(ada.id());
        String key = "sa:{" + ada.id() + "}:s:" + issued.sessionId();
        long now = domain.clock.millis();
        long idleExpiry = now + Duration.ofMinutes(30).toMillis();
        redis.hset(key, Map.of("g", "0", "un", "ada", "ct", Long.toString(now), "ax", Long.toString(now + Duration.ofHours(12).toMillis()),
                "ix", Long.toString(idleExpiry), "ls", Long.toString(now), "ip", "198.51.100.9", "ua", SAFARI, "dn", "old phone"));
        redis.pexpireat(key, idleExpiry);
        redis.zadd("sa:{" + ada.id() + "}:sessions", idleExpiry, issued.sessionId());
        ClientInfo stored = new ClientInfo("198.51.100.9", SAFARI, "old phone");

        assertThat(join(domain.sessions.validate(issued.token(), true)).session().client()).isEqualTo(stored);
        assertThat(join(domain.sessions.touch(issued.token(), Map.of(), List.of())).session().client()).isEqualTo(stored);
        assertThat(join(domain.sessions.list(ada.id()))).singleElement().satisfies(session -> {
            assertThat(session.client()).isEqualTo(stored);
            assertThat(session.username()).isEqualTo("ada");
        });
        assertThat(redis.keys("sa:{" + ada.id() + "}:clients")).isEmpty();
        assertThat(Set.copyOf(redis.hkeys(key))).contains("ua", "dn", "un");
    }
}
