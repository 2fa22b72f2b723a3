package io.sessionauthority.service.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.error.OverloadedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HashingPoolTest {

    @Test
    void shedsWorkAtOnceWhenTheQueueIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (HashingPool pool = new HashingPool(1, 1)) {
            CompletableFuture<String> running = pool.submit(() -> await(release));
            CompletableFuture<String> queued = pool.submit(() -> await(release));
            CompletableFuture<String> shed = pool.submit(() -> "never runs");
            // Already failed when submit returns: refused on the caller's thread, never queued.
            assertThat(shed).isCompletedExceptionally();
            assertThat(shed).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                    .isInstanceOfSatisfying(OverloadedException.class, e -> assertThat(e.retryAfter()).isPositive());
            assertThat(pool.queued()).isEqualTo(1);
            release.countDown();
            assertThat(running.get(5, TimeUnit.SECONDS)).isEqualTo("done");
            assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo("done");
        }
    }

    @Test
    void runsJobsOffTheCallersThread() throws Exception {
        try (HashingPool pool = new HashingPool(1, 1)) {
            String thread = pool.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
            assertThat(thread).startsWith("password-hashing-").isNotEqualTo(Thread.currentThread().getName());
        }
    }

    @Test
    void eachThreadRunsItsStartHookBeforeItsFirstJob() throws Exception {
        java.util.List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (HashingPool pool = new HashingPool(2, 4, wait -> { }, () -> started.add(Thread.currentThread().getName()))) {
            String first = pool.submit(() -> Thread.currentThread().getName() + " after " + started).get(5, TimeUnit.SECONDS);
            assertThat(started).hasSize(1);
            assertThat(first).isEqualTo(started.get(0) + " after " + started);
        }
    }

    @Test
    void aFailingStartHookLosesNoJob() throws Exception {
        try (HashingPool pool = new HashingPool(1, 1, wait -> { }, () -> {
            throw new IllegalStateException("no chrt here");
        })) {
            assertThat(pool.submit(() -> "hashed").get(5, TimeUnit.SECONDS)).isEqualTo("hashed");
        }
    }

    @Test
    void answersAndFailuresArriveOffTheHashingThreads() throws Exception {
        try (HashingPool pool = new HashingPool(1, 1)) {
            // The job waits until its continuation is attached: a continuation attached to a future
            // already complete would run on the attaching thread, and prove nothing.
            CountDownLatch attached = new CountDownLatch(1);
            CompletableFuture<String> continuedOn = pool.submit(() -> await(attached))
                    .thenApply(hash -> Thread.currentThread().getName());
            attached.countDown();
            assertThat(continuedOn.get(5, TimeUnit.SECONDS)).isEqualTo("password-hashing-done");
            CompletableFuture<String> failed = pool.submit(() -> {
                throw new IllegalArgumentException("bad hash");
            });
            assertThat(failed).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingCause().isInstanceOf(IllegalArgumentException.class).withMessage("bad hash");
        }
    }

    private static String await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "done";
    }
}
