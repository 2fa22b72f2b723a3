package io.sessionauthority.client;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Coalesces activity into Touch calls: at most one per session per interval, sent in the
 * background and never on the caller's path. A session's own last-seen time counts too, so a
 * session another client touched a moment ago is not touched again.
 */
final class SessionSlider {

    private static final int MAX_TRACKED = 100_000;

    private final long intervalMillis;
    private final Clock clock;
    private final Function<String, CompletableFuture<ValidationResult>> touch;
    private final ConcurrentHashMap<String, Long> lastTouched = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    SessionSlider(Duration interval, Clock clock, Function<String, CompletableFuture<ValidationResult>> touch) {
        this.intervalMillis = interval.toMillis();
        this.clock = clock;
        this.touch = touch;
    }

    void seen(String token, SessionInfo session) {
        long now = clock.millis();
        long lastSeen = session.lastSeenAt().toEpochMilli();
        if (now - lastSeen < intervalMillis) {
            return;
        }
        Long previous = lastTouched.get(session.sessionId());
        if (previous != null && now - previous < intervalMillis) {
            return;
        }
        boolean mine = previous == null
                ? lastTouched.putIfAbsent(session.sessionId(), now) == null
                : lastTouched.replace(session.sessionId(), previous, now);
        if (!mine) {
            return; // another thread touches it
        }
        if (lastTouched.size() > MAX_TRACKED && now - lastSweep >= intervalMillis) {
            lastSweep = now; // at most one sweep per interval, however busy
            lastTouched.values().removeIf(at -> now - at >= intervalMillis);
        }
        try {
            touch.apply(token);
        } catch (RuntimeException ignored) {
            // best effort: the next activity after the interval tries again
        }
    }
}
