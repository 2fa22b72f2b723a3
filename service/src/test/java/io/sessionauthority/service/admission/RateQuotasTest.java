package io.sessionauthority.service.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RateQuotasTest {

    private final AtomicLong now = new AtomicLong();
    private final RateQuotas quotas = new RateQuotas(10, 3, 2, now::get);

    @Test
    void aBurstThenTheRateAndTheWaitUntilTheNextCall() {
        for (int i = 0; i < 3; i++) {
            assertThat(quotas.take("edge")).isZero();
        }
        assertThat(quotas.take("edge")).isEqualTo(Duration.ofMillis(100));
        now.addAndGet(Duration.ofMillis(50).toNanos());
        assertThat(quotas.take("edge")).isEqualTo(Duration.ofMillis(50));
        now.addAndGet(Duration.ofMillis(50).toNanos());
        assertThat(quotas.take("edge")).isZero();
        assertThat(quotas.take("edge")).isPositive();
    }

    @Test
    void oneCallersSpendingLeavesAnothersBucketFull() {
        for (int i = 0; i < 10; i++) {
            quotas.take("flooder");
        }
        for (int i = 0; i < 3; i++) {
            assertThat(quotas.take("admin")).isZero();
        }
    }

    @Test
    void quietCallersAreForgottenOnceTooManyAreTrackedAndComeBackFull() {
        quotas.take("a");
        quotas.take("b");
        quotas.take("c");
        now.addAndGet(Duration.ofSeconds(1).toNanos()); // every bucket full again
        quotas.take("d"); // more than two tracked: the full ones are dropped
        for (int i = 0; i < 3; i++) {
            assertThat(quotas.take("a")).isZero();
        }
    }
}
