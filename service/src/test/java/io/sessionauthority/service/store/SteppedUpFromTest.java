package io.sessionauthority.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.session.Authentication;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The level a step-up's replaced token keeps for its grace is read back from what step_up.lua
 * records ({@code level|auth time|methods}): a wrong read answers a copy taken before the step-up
 * at the higher level.
 */
@Tag("unit")
class SteppedUpFromTest {

    private static final Instant CREATED = Instant.ofEpochMilli(1_800_000_000_000L);

    @Test
    void noRecordIsNoStepUp() {
        assertThat(RedisSessionStore.steppedUpFrom(null, CREATED)).isNull();
    }

    @Test
    void aPasswordLoginWithoutStoredAuthenticationIsReadAsOne() {
        assertThat(RedisSessionStore.steppedUpFrom("1||pwd", CREATED)).isEqualTo(Authentication.PASSWORD_AT_LOGIN);
    }

    @Test
    void theLevelTimeAndMethodsAreThoseRecorded() {
        assertThat(RedisSessionStore.steppedUpFrom("0|1800000000500|pwd", CREATED))
                .isEqualTo(Authentication.awaitingSecondFactor(Instant.ofEpochMilli(1_800_000_000_500L)));
        assertThat(RedisSessionStore.steppedUpFrom("2|1800000000900|pwd otp", CREATED))
                .isEqualTo(new Authentication(Instant.ofEpochMilli(1_800_000_000_900L), List.of("pwd", "otp"), 2));
    }

    @Test
    void aRecordOfAnotherShapeIsReadAsTheLowestLevel() {
        assertThat(RedisSessionStore.steppedUpFrom("s", CREATED)).isEqualTo(Authentication.awaitingSecondFactor(CREATED));
    }
}
