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
 * Device metadata is stored once per user and device (ClientProfiles), yet every read answers each
 * session with its own: Validate (plain read and script, on a replica that has never seen the
 * profile), Touch and ListSessions, for sessions written before profiles too.
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

    /** The profiles' contents, their slices put back together as bytes (a slice may end inside a character). */
    private List<String> profiles(String clients) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(REDIS.uri());
        try (var connection = client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
            Map<String, byte[]> fields = new java.util.HashMap<>();
            connection.sync().hgetall(clients.getBytes(StandardCharsets.UTF_8))
                    .forEach((field, value) -> fields.put(new String(field, StandardCharsets.UTF_8), value));
            return fields.keySet().stream().filter(field -> !field.contains("."))
                    .map(id -> {
                        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
                        content.writeBytes(fields.get(id));
                        for (int slice = 1; fields.containsKey(id + "." + slice); slice++) {
                            content.writeBytes(fields.get(id + "." + slice));
                        }
                        return content.toString(StandardCharsets.UTF_8);
                    })
                    .toList();
        } finally {
            client.shutdown();
        }
    }

    private SessionService.Started login(String username, ClientInfo client) {
        return join(domain.sessions.login(username, "password-" + username, client, Map.of(), ""));
    }

    @Test
    void sessionsFromOneDeviceShareOneProfileAndEveryReadAnswersItsOwn() {
        User mia = domain.createUser("mia");
        ClientInfo phone = new ClientInfo("192.0.2.1", SAFARI, "Mia's iPhone");
        ClientInfo phoneElsewhere = new ClientInfo("192.0.2.77", SAFARI, "Mia's iPhone");
        // Its 2-byte letters at odd offsets: byte 64, where the first slice ends, is inside one of them.
        ClientInfo laptop = new ClientInfo("2001:db8::1", FIREFOX, "x" + "ж".repeat(40));
        SessionService.Started first = login("mia", phone);
        SessionService.Started second = login("mia", phoneElsewhere);
        SessionService.Started third = login("mia", laptop);

        String clients = "sa:{" + mia.id() + "}:clients";
        assertThat(profiles(clients)).as("one profile per device")
                .containsExactlyInAnyOrder("Mia's iPhone\n" + SAFARI, "x" + "ж".repeat(40) + "\n" + FIREFOX);
        assertThat(redis.hkeys(clients)).allSatisfy(field -> assertThat(redis.hstrlen(clients, field)).isLessThanOrEqualTo(64));
        assertThat(redis.objectEncoding(clients)).isEqualTo("listpack");
        for (SessionService.Started started : List.of(first, second, third)) {
            assertThat(redis.objectEncoding("sa:{" + mia.id() + "}:s:" + started.session().sessionId())).isEqualTo("listpack");
        }
        Map<SessionService.Started, ClientInfo> expected = Map.of(first, phone, second, phoneElsewhere, third, laptop);
        try (DomainFixture freshReplica = new DomainFixture(REDIS.uri())) {
            expected.forEach((started, client) -> {
                // A replica that never read the profile (the script reads it), then one that has (the plain read).
                assertThat(join(freshReplica.sessions.validate(started.token(), true)).session().client()).isEqualTo(client);
                Session validated = join(freshReplica.sessions.validate(started.token(), true)).session();
                assertThat(validated.client()).isEqualTo(client);
                assertThat(validated.username()).isEqualTo("mia");
                assertThat(join(domain.sessions.touch(started.token(), Map.of(), List.of())).session().client()).isEqualTo(client);
            });
        }
        assertThat(join(domain.sessions.list(mia.id())))
                .extracting(session -> session.sessionId(), Session::client)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(first.session().sessionId(), phone),
                        org.assertj.core.groups.Tuple.tuple(second.session().sessionId(), phoneElsewhere),
                        org.assertj.core.groups.Tuple.tuple(third.session().sessionId(), laptop));
    }

    /**
     * The claim in docs/OPERATING.md, with its bound: a user's profiles hash stays a listpack up to Redis' default
     * 512 fields, which typical User-Agents (three 64-byte slices a device) do not reach within the
     * session cap; 57 devices with 512-character User-Agents (nine slices each) pass it, and the hash
     * is a plain one from then on. It holds one profile per device of the user's live sessions at
     * most, so the session cap bounds it.
     */
    @Test
    void aUsersProfilesStayAListpackUpTo512FieldsAndArePlainBeyond() {
        User max = domain.createUser("max");
        String clients = "sa:{" + max.id() + "}:clients";
        String phone = "iPhone 7"; // 8 bytes, a line feed and a 512-byte User-Agent: 521 bytes, 9 slices
        for (int device = 0; device < 57; device++) {
            login("max", new ClientInfo("", "Mozilla/5.0 (" + String.format("%03d", device) + ") " + "x".repeat(512 - 18), phone));
            if (device == 55) {
                assertThat(redis.hlen(clients)).isEqualTo(56 * 9);
                assertThat(redis.objectEncoding(clients)).as("56 devices").isEqualTo("listpack");
            }
        }
        assertThat(redis.hlen(clients)).isEqualTo(57 * 9);
        assertThat(redis.objectEncoding(clients)).as("57 devices").isEqualTo("hashtable");
    }

    @Test
    void aProfileNoLiveSessionUsesIsForgottenAtTheRevokeOrTheNextLogin() {
        User leo = domain.createUser("leo");
        String clients = "sa:{" + leo.id() + "}:clients";
        SessionService.Started revoked = login("leo", new ClientInfo("", SAFARI, ""));
        assertThat(profiles(clients)).containsExactly("\n" + SAFARI);
        join(domain.sessions.revokeByToken(revoked.token()));
        assertThat(redis.exists(clients)).as("the revoked session's profile").isZero();
        SessionService.Started expiring = login("leo", new ClientInfo("", "curl/8.5.0", ""));
        SessionService.Started other = login("leo", new ClientInfo("", "Other/1.0", ""));
        join(domain.sessions.revokeAll(leo.id(), expiring.session().sessionId()));
        assertThat(profiles(clients)).as("revoke-all forgets all but the kept session's").containsExactly("\ncurl/8.5.0");
        assertThat(redis.hkeys(clients)).hasSize(1);
        assertThat(join(domain.sessions.validate(other.token(), true)).isLive()).isFalse();

        // Past the idle timeout of both and the forget-after that keeps an expired session indexed.
        domain.clock.advance(Duration.ofMinutes(30).plus(Duration.ofHours(1)).plusSeconds(1));
        SessionService.Started live = login("leo", new ClientInfo("", FIREFOX, "desk"));
        assertThat(profiles(clients)).as("the expired session's profile").containsExactly("desk\n" + FIREFOX);
        assertThat(redis.hkeys(clients)).hasSize(2); // 75 bytes: two slices
        assertThat(join(domain.sessions.validate(live.token(), true)).session().client().userAgent()).isEqualTo(FIREFOX);
        assertThat(join(domain.sessions.validate(expiring.token(), true)).isLive()).isFalse();

        SessionService.Started plain = login("leo", ClientInfo.NONE);
        assertThat(redis.hexists("sa:{" + leo.id() + "}:s:" + plain.session().sessionId(), "c")).as("no metadata, no profile").isFalse();
        assertThat(join(domain.sessions.validate(plain.token(), true)).session().client()).isEqualTo(ClientInfo.NONE);
    }

    @Test
    void aProfileStaysWhileAnotherSessionUsesIt() {
        User eve = domain.createUser("eve");
        ClientInfo phone = new ClientInfo("192.0.2.5", SAFARI, "phone");
        SessionService.Started first = login("eve", phone);
        SessionService.Started second = login("eve", phone);
        join(domain.sessions.revokeByToken(first.token()));
        assertThat(profiles("sa:{" + eve.id() + "}:clients")).containsExactly("phone\n" + SAFARI);
        try (DomainFixture freshReplica = new DomainFixture(REDIS.uri())) {
            assertThat(join(freshReplica.sessions.validate(second.token(), true)).session().client()).isEqualTo(phone);
        }
    }

    @Test
    void aSessionWhoseProfileIsGoneStaysLiveWithoutDeviceMetadata() {
        User kim = domain.createUser("kim");
        SessionService.Started started = login("kim", new ClientInfo("192.0.2.9", SAFARI, "tablet"));
        redis.del("sa:{" + kim.id() + "}:clients"); // say, a partial restore
        try (DomainFixture freshReplica = new DomainFixture(REDIS.uri())) {
            Session session = join(freshReplica.sessions.validate(started.token(), true)).session();
            assertThat(session.client()).isEqualTo(new ClientInfo("192.0.2.9", "", ""));
            assertThat(session.username()).isEqualTo("kim");
        }
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
