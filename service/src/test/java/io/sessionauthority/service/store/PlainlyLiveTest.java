package io.sessionauthority.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.KeyValue;
import io.sessionauthority.service.session.SessionCheck;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Validate's plain read decides "live" in Java by the scripts' rules; anything else goes to the
 * script. Each row is one rule: a wrong one answers a revoked or expired session as live.
 */
class PlainlyLiveTest {

    private static final String USER = "dTgEWSswDQbACAHbJZ8fwg";
    private static final String SESSION = "zN9qTcY3VklLjwJfRSta5Q";
    private static final Instant NOW = Instant.ofEpochMilli(1_800_000_000_000L);

    private static Map<String, String> session(long generation, long absoluteExpiry, long idleExpiry) {
        Map<String, String> fields = new HashMap<>();
        fields.put("g", Long.toString(generation));
        fields.put("un", "alice");
        fields.put("ct", Long.toString(NOW.toEpochMilli() - 60_000));
        fields.put("ls", Long.toString(NOW.toEpochMilli() - 1_000));
        fields.put("ax", Long.toString(absoluteExpiry));
        fields.put("ix", Long.toString(idleExpiry));
        return fields;
    }

    private static List<KeyValue<String, String>> user(String generation, String kept) {
        return List.of(generation == null ? KeyValue.empty("gen") : KeyValue.just("gen", generation),
                kept == null ? KeyValue.empty("genk") : KeyValue.just("genk", kept));
    }

    private static SessionCheck check(Map<String, String> fields, List<KeyValue<String, String>> user) {
        return RedisSessionStore.plainlyLive(USER, SESSION, fields, user, NOW);
    }

    @Test
    void aWholeCurrentSessionIsLive() {
        long later = NOW.toEpochMilli() + 60_000;
        assertThat(check(session(0, later, later), user(null, null)).isLive()).isTrue();
        assertThat(check(session(3, later, later), user("3", null)).isLive()).isTrue();
        assertThat(check(session(2, later, later), user("3", SESSION)).isLive()).as("the session revoke-all kept").isTrue();
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
