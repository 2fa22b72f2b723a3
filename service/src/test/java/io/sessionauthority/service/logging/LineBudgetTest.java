package io.sessionauthority.service.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The one log budget: lines per window and kind, and the count of those held back. */
@Tag("unit")
class LineBudgetTest {

    private final AtomicLong now = new AtomicLong(1_000);

    @Test
    void oneLinePerIntervalReportsWhatItHeldBack() {
        LineBudget budget = new LineBudget(Duration.ofSeconds(10), 1, now::get);
        assertThat(budget.admit("redis")).isZero();
        assertThat(budget.admit("redis")).isEqualTo(LineBudget.HOLD_BACK);
        assertThat(budget.admit("redis")).isEqualTo(LineBudget.HOLD_BACK);
        now.addAndGet(TimeUnit.SECONDS.toNanos(9));
        assertThat(budget.admit("redis")).as("still within the window").isEqualTo(LineBudget.HOLD_BACK);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(budget.admit("redis")).as("the next window's first line reports three held back").isEqualTo(3);
        assertThat(budget.admit("redis")).isEqualTo(LineBudget.HOLD_BACK);
    }

    @Test
    void severalLinesPerWindowThenHoldsBack() {
        LineBudget budget = new LineBudget(Duration.ofMinutes(1), 3, now::get);
        assertThat(budget.admit("io.netty|WARN")).isZero();
        assertThat(budget.admit("io.netty|WARN")).isZero();
        assertThat(budget.admit("io.netty|WARN")).isZero();
        assertThat(budget.admit("io.netty|WARN")).isEqualTo(LineBudget.HOLD_BACK);
        now.addAndGet(TimeUnit.MINUTES.toNanos(1));
        assertThat(budget.admit("io.netty|WARN")).isEqualTo(1);
        assertThat(budget.admit("io.netty|WARN")).isZero();
    }

    @Test
    void kindsHaveBudgetsOfTheirOwn() {
        LineBudget budget = new LineBudget(Duration.ofSeconds(10), 1, now::get);
        assertThat(budget.admit("crowded")).isZero();
        assertThat(budget.admit("abuse")).isZero();
        assertThat(budget.admit("crowded")).isEqualTo(LineBudget.HOLD_BACK);
    }

    @Test
    void aBudgetNeedsALineAndAWindow() {
        assertThatThrownBy(() -> new LineBudget(Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LineBudget(Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
