package io.sessionauthority.service.logging;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * How many lines of each kind the log may take: at most {@code lines} per {@code window}, the
 * window starting at the first line written in it. Lines held back are counted, and the first line
 * of the next window reports them, so a flood is a few lines with counts while the metrics keep
 * every event. The one mechanism behind both of the service's log limits: {@link RateLimitedLog}
 * (its own warnings, one per kind and interval) and {@link RepeatedLinesFilter} (libraries' lines,
 * a few per logger and minute).
 */
final class LineBudget {

    /** Held back: the line is not written. */
    static final long HOLD_BACK = -1;

    private final long windowNanos;
    private final int lines;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

    LineBudget(Duration window, int lines, LongSupplier nanoTime) {
        if (window.isNegative() || window.isZero() || lines < 1) {
            throw new IllegalArgumentException("a line budget needs a positive window and at least one line");
        }
        this.windowNanos = window.toNanos();
        this.lines = lines;
        this.nanoTime = nanoTime;
    }

    LineBudget(Duration window, int lines) {
        this(window, lines, System::nanoTime);
    }

    /** {@link #HOLD_BACK}, or: write this line of {@code kind}, after reporting this many held back before it. */
    long admit(String kind) {
        return windows.computeIfAbsent(kind, key -> new Window()).admit(nanoTime.getAsLong(), windowNanos, lines);
    }

    /** One kind's current window: lines written in it, lines held back since the last one written. */
    private static final class Window {
        private long start;
        private boolean started;
        private int written;
        private long heldBack;

        synchronized long admit(long now, long windowNanos, int lines) {
            if (!started || now - start >= windowNanos) {
                started = true;
                start = now;
                written = 1;
                long report = heldBack;
                heldBack = 0;
                return report;
            }
            if (written < lines) {
                written++;
                return 0;
            }
            heldBack++;
            return HOLD_BACK;
        }
    }
}
