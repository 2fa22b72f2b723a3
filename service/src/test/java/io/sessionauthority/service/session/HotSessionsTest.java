package io.sessionauthority.service.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.revocation.RevocationHub;
import io.sessionauthority.service.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kept answers of one replica: a later answer replaces an earlier one, never the reverse. */
@Tag("unit")
class HotSessionsTest {

    private static Session seenAt(Instant lastSeen, String cart) {
        return new Session("zN9qTcY3VklLjwJfRSta5Q", "dTgEWSswDQbACAHbJZ8fwg", "alice", lastSeen.minusSeconds(60),
                lastSeen.plusSeconds(3600), lastSeen.plusSeconds(1800), lastSeen, ClientInfo.NONE, Map.of("cart", cart));
    }

    /** A Validate that read Redis before a Touch, answering after it, must not bring the old attributes back. */
    @Test
    void anAnswerReadBeforeATouchDoesNotReplaceTheTouchesAnswer() throws Exception {
        Instant now = Instant.now();
        try (RevocationHub hub = new RevocationHub(new AnnouncingLogTest.FlakyLog(0), 16, Duration.ofMillis(100), Duration.ofSeconds(5));
             HotSessions hot = new HotSessions(hub, 16, Duration.ofMinutes(5), Duration.ZERO, () -> false, Clock.systemUTC())) {
            Session touched = seenAt(now, "2");
            Await.until("the cache usable and holding the touched answer", Duration.ofSeconds(10), () -> {
                hot.put(SessionCheck.live(touched), hot.begin());
                return hot.get(touched.sessionId()).isPresent();
            });

            hot.put(SessionCheck.live(seenAt(now.minusSeconds(5), "1")), hot.begin());
            assertThat(hot.get(touched.sessionId()).orElseThrow().session()).isSameAs(touched);

            Session later = seenAt(now.plusSeconds(5), "3");
            hot.put(SessionCheck.live(later), hot.begin());
            assertThat(hot.get(touched.sessionId()).orElseThrow().session()).isSameAs(later);

            // This replica's own Touch wins even when another replica's clock ran ahead.
            Session ownTouch = seenAt(now.plusSeconds(1), "4");
            hot.putTouched(SessionCheck.live(ownTouch), hot.begin());
            assertThat(hot.get(touched.sessionId()).orElseThrow().session()).isSameAs(ownTouch);
        }
    }
}
