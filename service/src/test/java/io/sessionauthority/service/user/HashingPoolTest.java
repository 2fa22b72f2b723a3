package io.sessionauthority.service.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.error.OverloadedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
            long start = System.nanoTime();
            CompletableFuture<String> shed = pool.submit(() -> "never runs");
            assertThat(shed).isCompletedExceptionally();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
            try {
                shed.join();
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(OverloadedException.class);
                assertThat(((OverloadedException) e.getCause()).retryAfter()).isPositive();
            }
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

    private static String await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "done";
    }
}
