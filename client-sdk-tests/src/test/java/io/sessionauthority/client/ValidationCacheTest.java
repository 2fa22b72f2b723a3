package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.sessionauthority.service.testing.MutableClock;
import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.Session;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The SDK's own rules on top of the shared cache (whose contract, races included, is tested in
 * revocation-cache): how stream health bounds reuse, refusals, and that the stream's events and
 * resets reach it.
 */
@Tag("unit")
class ValidationCacheTest {

    private final MutableClock clock = MutableClock.startingNow();
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final ValidationCache cache = new ValidationCache(100, Duration.ofMinutes(10), Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ofSeconds(5), clock, healthy::get);

    private SessionInfo session(String user, String id) {
        long in30Minutes = clock.instant().plus(Duration.ofMinutes(30)).getEpochSecond();
        return SessionInfo.of(Session.newBuilder().setUserId(user).setSessionId(id)
                .setIdleExpireTime(Timestamp.newBuilder().setSeconds(in30Minutes))
                .setExpireTime(Timestamp.newBuilder().setSeconds(in30Minutes + 3600)).build());
    }

    private static Revocation ofSession(String user, String id) {
        return Revocation.newBuilder().setUserId(user).setSessionId(id).build();
    }

    @Test
    void revokeAllTakesEverySessionOfTheUserButTheKeptOne() {
        cache.put("a", ValidationResult.valid(session("u1", "s1")), cache.begin());
        cache.put("b", ValidationResult.valid(session("u1", "s2")), cache.begin());
        cache.put("c", ValidationResult.valid(session("u2", "s3")), cache.begin());
        cache.onRevocation(Revocation.newBuilder().setUserId("u1").setExceptSessionId("s2").build());
        assertThat(cache.get("a")).isNull();
        assertThat(cache.get("b").isValid()).isTrue();
        assertThat(cache.get("c").isValid()).isTrue();
    }

    @Test
    void aSessionUpdateForgetsTheSessionAndAStepUpRefusalIsNeverKept() {
        cache.put("a", ValidationResult.valid(session("u1", "s1")), cache.begin());
        cache.onUpdate(io.sessionauthority.v1.SessionUpdate.newBuilder().setUserId("u1").setSessionId("s1").build());
        assertThat(cache.get("a")).isNull();

        cache.put("b", ValidationResult.invalid(ValidationResult.Reason.REVOKED), cache.begin());
        cache.put("c", ValidationResult.invalid(ValidationResult.Reason.STEP_UP_REQUIRED), cache.begin());
        assertThat(cache.get("b").reason()).as("a refusal is kept briefly").isEqualTo(ValidationResult.Reason.REVOKED);
        assertThat(cache.get("c")).as("the first half of a login becomes a session any moment").isNull();
    }

    @Test
    void aResetForgetsEverythingAndAnswersReadBeforeItAreNotKept() {
        long begun = cache.begin();
        cache.put("a", ValidationResult.valid(session("u1", "s1")), cache.begin());
        cache.onReset();
        assertThat(cache.get("a")).isNull();
        cache.put("b", ValidationResult.valid(session("u1", "s2")), begun);
        assertThat(cache.get("b")).isNull();
    }

    @Test
    void withoutAHealthyStreamAnswersLastBrieflyThenNotAtAll() {
        cache.put("a", ValidationResult.valid(session("u1", "s1")), cache.begin());
        clock.advance(Duration.ofMinutes(5));
        assertThat(cache.get("a").isValid()).as("healthy: up to the max age").isTrue();

        healthy.set(false);
        assertThat(cache.get("a")).as("unhealthy: only answers younger than a second").isNull();
        cache.put("b", ValidationResult.valid(session("u1", "s2")), cache.begin());
        assertThat(cache.get("b").isValid()).isTrue();
        clock.advance(Duration.ofMillis(1001));
        assertThat(cache.get("b")).isNull();

        clock.advance(Duration.ofSeconds(10));
        cache.put("c", ValidationResult.valid(session("u1", "s3")), cache.begin());
        assertThat(cache.get("c")).as("unhealthy for longer than 10 s: no cache at all").isNull();
    }

    @Test
    void noAnswerOutlivesItsSessionsExpiry() {
        cache.put("a", ValidationResult.valid(session("u1", "s1")), cache.begin());
        clock.advance(Duration.ofMinutes(9));
        assertThat(cache.get("a").isValid()).isTrue();
        clock.advance(Duration.ofMinutes(2)); // past the 10 min max age
        assertThat(cache.get("a")).isNull();
    }

    @Test
    void aFloodOfInvalidTokensStaysWithinItsShareAndPushesNoLiveAnswerOut() {
        cache.put("live", ValidationResult.valid(session("u1", "s1")), cache.begin());
        for (int i = 0; i < 10_000; i++) {
            cache.put("forged-" + i, ValidationResult.invalid(ValidationResult.Reason.UNKNOWN), cache.begin());
        }
        assertThat(cache.get("live").isValid()).isTrue();
        assertThat(cache.get("forged-9999").reason()).isEqualTo(ValidationResult.Reason.UNKNOWN);
        clock.advance(Duration.ofSeconds(6));
        assertThat(cache.get("forged-9999")).as("negative answers live 5 s").isNull();
    }
}
