package io.sessionauthority.service.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Where failure counters live, shared by every replica. */
public interface ThrottleStore {

    /**
     * Admits an attempt: counts it on every counter, unless one of them is locked, in which case
     * nothing stays counted and the answer is how much longer the longest lock lasts (zero when
     * admitted).
     */
    CompletionStage<Duration> attempt(List<Counter> counters, Instant now);

    /** Takes back one admitted attempt on these counters. */
    CompletionStage<Void> undo(List<Counter> counters);

    /** Forgets these counters entirely. */
    CompletionStage<Void> reset(List<Counter> counters);

    /**
     * One failure counter.
     *
     * @param scope       what it counts by: {@code ip}, {@code user_ip} or {@code user}
     * @param id          the address, username, or both
     * @param maxFailures failures before a lockout
     * @param step        first lockout, and what each further failure adds
     * @param maxLockout  the longest lockout
     * @param window      how long a counter remembers failures without a new one
     */
    record Counter(String scope, String id, int maxFailures, Duration step, Duration maxLockout, Duration window) {
    }
}
