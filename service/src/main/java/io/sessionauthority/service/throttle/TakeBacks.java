package io.sessionauthority.service.throttle;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes back counted attempts that must not stand as failures, retrying in the background while
 * Redis cannot answer. An attempt whose caller got UNAVAILABLE (Redis stalled past its timeout) was
 * not a wrong password, yet its count may still land when Redis resumes and runs the queued
 * script: forty logins during a 10 s stall once locked their address for a minute. Taking back by
 * the attempt's id is exact whenever it runs (ThrottleStore#undo), so it is simply retried until it
 * succeeds, for at most {@code retryFor}; at most {@code maxPending} attempts are retried at once.
 */
final class TakeBacks {

    private static final long FIRST_RETRY_MILLIS = 250;
    private static final long MAX_RETRY_MILLIS = 4_000;

    private final ThrottleStore store;
    private final ScheduledExecutorService scheduler;
    private final Duration retryFor;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    TakeBacks(ThrottleStore store, ScheduledExecutorService scheduler, Duration retryFor, int maxPending) {
        this.store = store;
        this.scheduler = scheduler;
        this.retryFor = retryFor;
        this.maxPending = maxPending;
    }

    /**
     * Takes back attempt {@code attemptId} on {@code counters}: now, and again later until it
     * succeeds. Completes, never exceptionally, once the first try is done.
     */
    CompletionStage<Void> takeBack(List<ThrottleStore.Counter> counters, String attemptId) {
        if (counters.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.undo(counters, attemptId).handle((done, error) -> {
            if (error != null) {
                retryLater(counters, attemptId, System.nanoTime() + retryFor.toNanos(), FIRST_RETRY_MILLIS, true);
            }
            return null;
        });
    }

    private void retryLater(List<ThrottleStore.Counter> counters, String attemptId, long giveUpAt, long delayMillis, boolean first) {
        if (first && pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        if (System.nanoTime() - giveUpAt > 0) {
            pending.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        try {
            scheduler.schedule(() -> store.undo(counters, attemptId).whenComplete((done, error) -> {
                if (error == null) {
                    pending.decrementAndGet();
                } else {
                    retryLater(counters, attemptId, giveUpAt, Math.min(MAX_RETRY_MILLIS, delayMillis * 2), false);
                }
            }), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            pending.decrementAndGet();
        }
    }

    /** Take-backs being retried now. */
    int pending() {
        return pending.get();
    }

    /** Take-backs given up (past {@code retryFor}, or beyond {@code maxPending}). */
    long dropped() {
        return dropped.get();
    }
}
