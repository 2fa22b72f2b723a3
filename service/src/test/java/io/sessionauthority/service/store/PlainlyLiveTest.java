package io.sessionauthority.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.KeyValue;
import io.sessionauthority.service.session.SessionCheck;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Validate's plain read decides "live" in Java by the scripts' rules; anything else goes to the
 * script. Each row is one rule: a wrong one answers a revoked or expired session as live.
 */
@Tag("unit")
class PlainlyLiveTest {

    private static final String USER = "dTgEWSswDQbACAHbJZ8fwg";
    private static final String SESSION = "zN9qTcY3VklLjwJfRSta5Q";
    private static final Instant NOW = Instant.ofEpochMilli(1_800_000_000_000L);

    private static Map<String, String> session(long generation, long absoluteExpiry, long idleExpiry) {
        Map<String, String> fields = new HashMap<>();
        if (generation != 0) {
            fields.put("g", Long.toString(generation));
        }
        fields.put("ct", Long.toString(NOW.toEpochMilli() - 60_000));
        fields.put("ls", Long.toString(NOW.toEpochMilli() - 1_000));
        fields.put("ax", Long.toString(absoluteExpiry));
        fields.put("ix", Long.toString(idleExpiry));
        return fields;
    }

    private static List<KeyValue<String, String>> user(String generation, String kept) {
        return List.of(generation == null ? KeyValue.empty("gen") : KeyValue.just("gen", generation),
                kept == null ? KeyValue.empty("genk") : KeyValue.just("genk", kept), KeyValue.just("un", "alice"));
    }

    private final ClientProfiles profiles = new ClientProfiles(16);

    private SessionCheck check(Map<String, String> fields, List<KeyValue<String, String>> user) {
        return RedisSessionStore.plainlyLive(USER, SESSION, fields, user, NOW, profiles);
    }

    @Test
    void aWholeCurrentSessionIsLive() {
        long later = NOW.toEpochMilli() + 60_000;
        assertThat(check(session(0, later, later), user(null, null)).isLive()).isTrue();
        assertThat(check(session(3, later, later), user("3", null)).isLive()).isTrue();
        assertThat(check(session(2, later, later), user("3", SESSION)).isLive()).as("the session revoke-all kept").isTrue();
    }

    @Test
    void theUsernameIsTheUsersAndTheClientComesFromAKnownProfile() {
        long later = NOW.toEpochMilli() + 60_000;
        Map<String, String> fields = session(0, later, later);
        fields.put("c", "pRoFiLe1");
        assertThat(check(fields, user(null, null))).as("a profile this replica has not read: the script reads it").isNull();

        profiles.remember(USER, "pRoFiLe1", new ClientProfiles.Profile("iPhone", "Mozilla/5.0 (iPhone)"));
        SessionCheck live = check(fields, user(null, null));
        assertThat(live.session().username()).isEqualTo("alice");
        assertThat(live.session().client().deviceName()).isEqualTo("iPhone");
        assertThat(live.session().client().userAgent()).isEqualTo("Mozilla/5.0 (iPhone)");
        assertThat(check(fields, List.of(KeyValue.empty("gen"), KeyValue.empty("genk"), KeyValue.just("un", "alice")))
                .session().client().userAgent()).isEqualTo("Mozilla/5.0 (iPhone)");

        profiles.remember("anotherUserId123456789", "pRoFiLe2", new ClientProfiles.Profile("desk", "curl/8"));
        fields.put("c", "pRoFiLe2");
        assertThat(check(fields, user(null, null))).as("another user's profile of the same id").isNull();
    }

    @Test
    void aSharedProfileIsAnyones() {
        long later = NOW.toEpochMilli() + 60_000;
        Map<String, String> fields = session(0, later, later);
        fields.put("p", "sharedProfile123");
        assertThat(check(fields, user(null, null))).as("a shared profile this replica has not read").isNull();
        profiles.remember(USER, "sharedProfile123", new ClientProfiles.Profile("desk", "curl/8"));
        assertThat(check(fields, user(null, null))).as("the user's own profile of the same id is not it").isNull();

        profiles.rememberShared("sharedProfile123", new ClientProfiles.Profile("iPhone", "Mozilla/5.0 (iPhone)"));
        assertThat(check(fields, user(null, null)).session().client().deviceName()).isEqualTo("iPhone");
    }

    @Test
    void aSessionStoredBeforeProfilesKeepsItsOwnMetadata() {
        long later = NOW.toEpochMilli() + 60_000;
        Map<String, String> fields = session(0, later, later);
        fields.put("g", "0");
        fields.put("un", "old-name");
        fields.put("ua", "Mozilla/5.0 (X11)");
        fields.put("dn", "laptop");
        SessionCheck live = check(fields, user(null, null));
        assertThat(live.session().username()).as("the user's username wins").isEqualTo("alice");
        assertThat(live.session().client().userAgent()).isEqualTo("Mozilla/5.0 (X11)");
        assertThat(live.session().client().deviceName()).isEqualTo("laptop");
    }

    @Test
    void everythingElseGoesToTheScript() {
        long now = NOW.toEpochMilli();
        long later = now + 60_000;
        assertThat(check(Map.of(), user(null, null))).as("gone").isNull();
        Map<String, String> partial = session(0, later, later);
        partial.remove("ix");
        assertThat(check(partial, user(null, null))).as("not a whole session").isNull();
        assertThat(check(session(2, later, later), user("3", null))).as("older than a revoke-all").isNull();
        assertThat(check(session(2, later, later), user("3", "anotherSessionId1234"))).as("older, and not the one kept").isNull();
        assertThat(check(session(0, later, later), user("1", ""))).as("created before the first revoke-all").isNull();
        assertThat(check(session(0, later, now), user(null, null))).as("idle expiry reached").isNull();
        assertThat(check(session(0, now, later), user(null, null))).as("absolute expiry reached").isNull();
    }
}
