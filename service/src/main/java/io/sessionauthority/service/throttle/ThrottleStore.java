package io.sessionauthority.service.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Where failure counters and known devices live, shared by every replica. */
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
     * Whether {@code deviceId} is a known device of user {@code userId}, and that user's username is
     * {@code username}: a device token of one account buys nothing against another.
     */
    CompletionStage<Boolean> knowsDevice(String username, String userId, String deviceId, Instant now);

    /**
     * Remembers a device of a user until {@code expiresAt}, forgetting expired ones and, past
     * {@code maxDevices}, the ones that expire first.
     */
    CompletionStage<Void> rememberDevice(String userId, String deviceId, Instant expiresAt, int maxDevices, Instant now);

    /**
     * One failure counter.
     *
     * @param scope       what it counts by: {@code ip}, {@code user_ip}, {@code user} or {@code device}
     * @param id          the address, username, both, or the device id
     * @param maxFailures failures before a lockout
     * @param step        first lockout, and what each further failure adds
     * @param maxLockout  the longest lockout
     * @param window      how long a counter remembers failures without a new one
     */
    record Counter(String scope, String id, int maxFailures, Duration step, Duration maxLockout, Duration window) {
    }
}
