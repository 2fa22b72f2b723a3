package io.sessionauthority.service.logging;

import java.time.Duration;
import org.slf4j.Logger;

/**
 * A warning that repeats per failed call (Redis down: one per call, hundreds a second) written at
 * most once per interval and kind, with the count of the lines it held back since: an outage is a
 * few lines a minute in the log, while the metrics keep every failure.
 */
public final class RateLimitedLog {

    private final Logger log;
    private final LineBudget budget;

    public RateLimitedLog(Logger log, Duration interval) {
        this.log = log;
        this.budget = new LineBudget(interval, 1);
    }

    /** Warns {@code message} (an SLF4J pattern) unless a line of this {@code kind} was written within the interval. */
    public void warn(String kind, String message, Object... arguments) {
        long heldBack = budget.admit(kind);
        if (heldBack == LineBudget.HOLD_BACK) {
            return;
        }
        if (heldBack > 0) {
            log.warn(message + " ({} more like it since the last line)", append(arguments, heldBack));
        } else {
            log.warn(message, arguments);
        }
    }

    private static Object[] append(Object[] arguments, long heldBack) {
        Object[] all = java.util.Arrays.copyOf(arguments, arguments.length + 1);
        all[arguments.length] = heldBack;
        return all;
    }
}
