package io.sessionauthority.service.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.error.StoreUnavailableException;
import io.sessionauthority.service.revocation.EndReason;
import io.sessionauthority.service.revocation.Revocation;
import io.sessionauthority.service.revocation.RevocationHub;
import io.sessionauthority.service.revocation.RevocationLog;
import io.sessionauthority.service.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The background redelivery of revocation events whose append failed: retried, given up, dropped. */
@Tag("unit")
class AnnouncingLogTest {

    private static final Revocation EVENT = Revocation.ofSession("dTgEWSswDQbACAHbJZ8fwg", "zN9qTcY3VklLjwJfRSta5Q",
            EndReason.LOGOUT, Instant.parse("2026-11-30T08:00:00Z"));

    /** A log whose appends fail as many times as asked, then succeed; it never has events to read. */
    static final class FlakyLog implements RevocationLog {
        final AtomicInteger failuresLeft;
        final AtomicInteger appends = new AtomicInteger();

        FlakyLog(int failures) {
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public CompletionStage<String> append(Revocation revocation) {
            appends.incrementAndGet();
            return failuresLeft.getAndDecrement() > 0
                    // As the store reports an append that reached the master but missed its replica's WAIT.
                    ? CompletableFuture.failedFuture(new StoreUnavailableException("the session store is unavailable; retry shortly",
                            new IllegalStateException("WAIT: 0 of 1 replicas confirmed the write")))
                    : CompletableFuture.completedFuture("1-" + appends.get());
        }

        @Override
        public CompletionStage<Page> after(String cursor, int max) {
            return CompletableFuture.completedFuture(new Page(List.of(), false));
        }

        @Override
        public CompletionStage<List<Revocation>> await(String cursor, Duration wait) {
            return CompletableFuture.supplyAsync(List::of, CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS));
        }

        @Override
        public CompletionStage<String> end() {
            return CompletableFuture.completedFuture("0-0");
        }
    }

    private final ConcurrentLinkedQueue<AutoCloseable> opened = new ConcurrentLinkedQueue<>();

    private AnnouncingLog announcing(FlakyLog log, Duration redeliverFor, int maxPending) {
        RevocationHub hub = new RevocationHub(log, 16, Duration.ofMillis(100), Duration.ofSeconds(5));
        HotSessions hot = new HotSessions(hub, 16, Duration.ofSeconds(1), Duration.ZERO, () -> false, Clock.systemUTC());
        AnnouncingLog announcing = new AnnouncingLog(log, hot, Executors.newSingleThreadScheduledExecutor(), redeliverFor, maxPending);
        opened.add(announcing);
        opened.add(hot);
        opened.add(hub);
        return announcing;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
    }

    @Test
    void aFailedAppendFailsItsCallerAndIsRedeliveredInTheBackground() {
        FlakyLog log = new FlakyLog(2);
        AnnouncingLog announcing = announcing(log, Duration.ofSeconds(10), 4);
        assertThat(announcing.append(EVENT).toCompletableFuture()).failsWithin(Duration.ofSeconds(1))
                .withThrowableThat().havingRootCause().withMessageContaining("WAIT: 0 of 1");
        assertThat(announcing.pendingRedeliveries()).isEqualTo(1);
        Await.until("the event redelivered", Duration.ofSeconds(10), () -> announcing.redelivered() == 1);
        assertThat(log.appends.get()).as("the first append, one failed retry, the one that worked").isEqualTo(3);
        assertThat(announcing.pendingRedeliveries()).isZero();
        assertThat(announcing.droppedRedeliveries()).isZero();
    }

    @Test
    void anEventStillFailingAfterRedeliverForIsGivenUpAndCounted() {
        FlakyLog log = new FlakyLog(Integer.MAX_VALUE);
        AnnouncingLog announcing = announcing(log, Duration.ofMillis(300), 4);
        announcing.append(EVENT);
        Await.until("the event given up", Duration.ofSeconds(10), () -> announcing.droppedRedeliveries() == 1);
        assertThat(announcing.pendingRedeliveries()).isZero();
        assertThat(announcing.redelivered()).isZero();
    }

    @Test
    void pastMaxPendingAnEventIsDroppedAtOnceAndClosingGivesUpTheQueuedOnes() {
        FlakyLog log = new FlakyLog(Integer.MAX_VALUE);
        AnnouncingLog announcing = announcing(log, Duration.ofMinutes(1), 1);
        announcing.append(EVENT);
        announcing.append(EVENT);
        assertThat(announcing.pendingRedeliveries()).isEqualTo(1);
        assertThat(announcing.droppedRedeliveries()).as("past maxPending").isEqualTo(1);

        announcing.close();
        assertThat(announcing.pendingRedeliveries()).as("the queued retry, given up with the replica").isZero();
        assertThat(announcing.droppedRedeliveries()).isEqualTo(2);
    }
}
