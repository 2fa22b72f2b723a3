package io.sessionauthority.service.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Where failure counters live, shared by every replica. */
public interface ThrottleStore {

    /** How much longer the most locked of these counters stays locked at {@code now}; zero when none is. */
    CompletionStage<Duration> lockedFor(List<Counter> counters, Instant now);

    /** Counts one failure on each counter, locking those that reach their threshold. */
    CompletionStage<Void> recordFailure(List<Counter> counters, Instant now);

    /** Forgets these counters (after a successful login). */
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
