package io.sessionauthority.service.session;

import io.sessionauthority.service.revocation.Revocation;
import io.sessionauthority.service.revocation.RevocationLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The revocation log as the services that end sessions use it: an event is appended, then applied
 * to this replica's hot sessions before the caller is answered, so a revoke is seen at once by the
 * replica that made it (and by the others as their hubs read it, in milliseconds).
 *
 * <p>An append that fails (Redis failing over, the log's slot without a master) is retried in the
 * background for {@code redeliverFor}, while the caller gets its UNAVAILABLE at once. The sessions
 * are already ended in Redis by then, and not every caller can retry to put the event right: a
 * ChangePassword retried with the old password is refused, and a login that evicted a session past
 * the limit does not evict it again. Without the redelivery, caches elsewhere would keep those
 * sessions for their whole max age. An event delivered twice is harmless (ending an ended session),
 * so an append that reached the master and only missed its replica confirmation (WAIT) is repeated
 * too: the failover WAIT guards against would lose it.
 */
public final class AnnouncingLog implements RevocationLog, AutoCloseable {

    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(4);

    private final RevocationLog log;
    private final HotSessions hot;
    private final ScheduledExecutorService scheduler;
    private final Duration redeliverFor;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong redelivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param redeliverFor how long a failed append is retried in the background
     * @param maxPending   failed events retried at once at most; beyond, they are dropped (and counted)
     */
    public AnnouncingLog(RevocationLog log, HotSessions hot, ScheduledExecutorService scheduler, Duration redeliverFor, int maxPending) {
        this.log = log;
        this.hot = hot;
        this.scheduler = scheduler;
        this.redeliverFor = redeliverFor;
        this.maxPending = maxPending;
    }

    @Override
    public CompletionStage<String> append(Revocation revocation) {
        // Applied here whether or not the append succeeded: the sessions are ended in Redis either
        // way, and this replica must not keep answering them from memory until a retry.
        return log.append(revocation).whenComplete((cursor, error) -> {
            hot.apply(revocation);
            // A WAIT that fell short is redelivered too: the master may have the event, but the
            // failover that WAIT guards against would lose it, and a repeated event is harmless.
            if (error != null && !redeliverFor.isZero()) {
                redeliver(revocation, System.nanoTime() + redeliverFor.toNanos());
            }
        });
    }

    private void redeliver(Revocation revocation, long giveUpAt) {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        retryLater(revocation, giveUpAt, FIRST_RETRY.toMillis());
    }

    private void retryLater(Revocation revocation, long giveUpAt, long delayMillis) {
        try {
            scheduler.schedule(() -> {
                CompletionStage<String> attempt;
                try {
                    attempt = log.append(revocation);
                } catch (RuntimeException failed) {
                    attempt = java.util.concurrent.CompletableFuture.failedFuture(failed);
                }
                attempt.whenComplete((cursor, error) -> {
                    if (error == null) {
                        pending.decrementAndGet();
                        redelivered.incrementAndGet();
                    } else if (System.nanoTime() - giveUpAt >= 0) {
                        pending.decrementAndGet();
                        dropped.incrementAndGet();
                    } else {
                        retryLater(revocation, giveUpAt, Math.min(delayMillis * 2, MAX_RETRY_DELAY.toMillis()));
                    }
                });
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            pending.decrementAndGet();
            dropped.incrementAndGet();
        }
    }

    /** Events whose append failed and is being retried now. */
    public int pendingRedeliveries() {
        return pending.get();
    }

    /** Events appended by a background retry after their first append failed. */
    public long redelivered() {
        return redelivered.get();
    }

    /** Events given up on (still failing after redeliverFor, or past maxPending). */
    public long droppedRedeliveries() {
        return dropped.get();
    }

    @Override
    public CompletionStage<Page> after(String cursor, int max) {
        return log.after(cursor, max);
    }

    @Override
    public CompletionStage<List<Revocation>> await(String cursor, Duration wait) {
        return log.await(cursor, wait);
    }

    @Override
    public CompletionStage<String> end() {
        return log.end();
    }

    @Override
    public void close() {
        // Retries still queued are given up (and counted) with the replica.
        int given = scheduler.shutdownNow().size();
        pending.addAndGet(-given);
        dropped.addAndGet(given);
    }
}
