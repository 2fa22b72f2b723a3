package io.sessionauthority.service.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A warning that repeats per failed call (Redis down: one per call, hundreds a second) written at
 * most once per interval and kind, with the count of the lines it held back since: an outage is a
 * few lines a minute in the log, while the metrics keep every failure.
 */
public final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

    public RateLimitedLog(Logger log, java.time.Duration interval) {
        this(log, interval, System::nanoTime);
    }

    RateLimitedLog(Logger log, java.time.Duration interval, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Warns {@code message} (an SLF4J pattern) unless a line of this {@code kind} was written within the interval. */
    public void warn(String kind, String message, Object... arguments) {
        Window window = windows.computeIfAbsent(kind, key -> new Window());
        long suppressed = window.admit(nanoTime.getAsLong(), intervalNanos);
        if (suppressed < 0) {
            return;
        }
        if (suppressed > 0) {
            log.warn(message + " ({} more like it since the last line)", append(arguments, suppressed));
        } else {
            log.warn(message, arguments);
        }
    }

    private static Object[] append(Object[] arguments, long suppressed) {
        Object[] all = java.util.Arrays.copyOf(arguments, arguments.length + 1);
        all[arguments.length] = suppressed;
        return all;
    }

    private static final class Window {
        private long last = Long.MIN_VALUE;
        private final AtomicLong suppressed = new AtomicLong();

        /** -1: hold this line back; otherwise write it, saying how many were held back before it. */
        synchronized long admit(long now, long interval) {
            if (last != Long.MIN_VALUE && now - last < interval) {
                suppressed.incrementAndGet();
                return -1;
            }
            last = now;
            return suppressed.getAndSet(0);
        }
    }
}
