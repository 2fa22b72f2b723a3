package io.sessionauthority.service.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Where failure counters and known devices live, shared by every replica. */
public interface ThrottleStore {

    /**
     * Admits attempt {@code attemptId}: counts it on every counter, unless one of them is locked, in
     * which case nothing stays counted and the answer is how much longer the longest lock lasts
     * (zero when admitted).
     */
    CompletionStage<Duration> attempt(List<Counter> counters, Instant now, String attemptId);

    /**
     * Takes back attempt {@code attemptId} on these counters, where it is counted and not yet
     * settled: exact, and harmless to repeat or to send before knowing whether the attempt ran.
     */
    CompletionStage<Void> undo(List<Counter> counters, String attemptId);

    /** Settles attempt {@code attemptId} as a failure: its count stays. */
    CompletionStage<Void> confirm(List<Counter> counters, String attemptId);

    /** Forgets these counters entirely. */
    CompletionStage<Void> reset(List<Counter> counters);

    /**
     * Whether {@code deviceId} is a known device of user {@code userId}, and that user's username is
     * {@code username}: a device token of one account buys nothing against another.
     */
    CompletionStage<Boolean> knowsDevice(String username, String userId, String deviceId, Instant now);

    /**
     * Remembers a device of a user until {@code expiresAt}, forgetting expired ones and, past
     * {@code maxDevices}, the ones that expire first; {@code replacedDeviceId} (empty for none), the
     * id this device was known by until now, stays known only until {@code replacedUntil}.
     */
    CompletionStage<Void> rememberDevice(String userId, String deviceId, Instant expiresAt, int maxDevices, Instant now,
                                         String replacedDeviceId, Instant replacedUntil);

    /**
     * One failure counter.
     *
     * @param scope       what it counts by: {@code ip}, {@code user_ip}, {@code user} or {@code device}
     * @param id          the address, username, both, or the device id
     * @param maxFailures failures before a lockout
     * @param step        first lockout, and what each further failure adds
     * @param maxLockout  the longest lockout
     * @param window      how long a counter remembers failures without a new one
     * @param clearedBySuccess whether a successful check starts it over (the username's counters),
     *                    or only takes its own attempt back (the address's, the day's)
     */
    record Counter(String scope, String id, int maxFailures, Duration step, Duration maxLockout, Duration window,
                   boolean clearedBySuccess) {
    }
}
