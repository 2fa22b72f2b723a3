package io.sessionauthority.spring;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;

/**
 * A warning logged at most once per interval: during an outage every request fails the same way,
 * and one line a minute says so without flooding the log.
 */
final class RateLimitedWarning {

    private final Log log;
    private final long intervalNanos;
    private final AtomicLong nextAllowed;

    RateLimitedWarning(Log log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nextAllowed = new AtomicLong(System.nanoTime());
    }

    /** Logs the message unless one was logged less than an interval ago (and counts nothing else). */
    void warn(Supplier<String> message) {
        long now = System.nanoTime();
        long allowed = nextAllowed.get();
        // One thread wins the slot; the others of the same moment stay quiet.
        if (now - allowed >= 0 && nextAllowed.compareAndSet(allowed, now + intervalNanos)) {
            log.warn(message.get());
        }
    }
}
