package io.sessionauthority.service.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.error.OverloadedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class HashingPoolTest {

    @Test
    void shedsWorkAtOnceWhenTheQueueIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (HashingPool pool = new HashingPool(1, 1)) {
            CompletableFuture<String> running = pool.submit(() -> await(release));
            awaitQueueEmpty(pool); // the thread took it
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
            String thread = first.substring(0, first.indexOf(" after "));
            assertThat(first.substring(first.indexOf(" after ") + 7)).as("hooks run before the job").contains(thread);
            io.sessionauthority.service.testing.Await.until("both threads started", Duration.ofSeconds(5), () -> started.size() == 2);
            assertThat(started).containsExactlyInAnyOrder("password-hashing-1", "password-hashing-2");
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

    @Test
    void knownDeviceJobsRunBeforeQueuedOthersAndOthersFillOnlyThreeQuartersOfTheQueue() throws Exception {
        CountDownLatch releaseOther = new CountDownLatch(1);
        CountDownLatch releaseKnown = new CountDownLatch(1);
        java.util.List<String> ran = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (HashingPool pool = new HashingPool(1, 4)) {
            // Both threads busy: the general one, and the one that serves known devices only.
            CompletableFuture<String> busyOther = pool.submit(() -> await(releaseOther));
            awaitQueueEmpty(pool);
            CompletableFuture<String> busyKnown = pool.submit(HashingPool.Lane.KNOWN_DEVICE, () -> true, () -> await(releaseKnown));
            awaitQueueEmpty(pool);
            java.util.List<CompletableFuture<String>> others = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                others.add(pool.submit(HashingPool.Lane.OTHER, () -> true, () -> {
                    ran.add("other " + n);
                    return "other";
                }));
            }
            assertThat(pool.hasRoom(HashingPool.Lane.OTHER)).isFalse();
            assertThat(pool.submit(HashingPool.Lane.OTHER, () -> true, () -> "fourth other"))
                    .as("others may fill three quarters of the queue").failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat().havingCause().isInstanceOf(OverloadedException.class);
            CompletableFuture<String> owner = pool.submit(HashingPool.Lane.KNOWN_DEVICE, () -> true, () -> {
                ran.add("owner");
                return "owner";
            });
            CompletableFuture<String> secondOwner = pool.submit(HashingPool.Lane.KNOWN_DEVICE, () -> true, () -> {
                ran.add("second owner");
                return "owner";
            });
            // The queue (4) is full now: the newest other was shed to make room for the second owner.
            assertThat(others.get(2)).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingCause().isInstanceOf(OverloadedException.class);
            // The known-devices thread serves the owners while the general thread is still busy.
            releaseKnown.countDown();
            owner.get(5, TimeUnit.SECONDS);
            secondOwner.get(5, TimeUnit.SECONDS);
            assertThat(ran).containsExactly("owner", "second owner");
            releaseOther.countDown();
            busyOther.get(5, TimeUnit.SECONDS);
            busyKnown.get(5, TimeUnit.SECONDS);
            others.get(0).get(5, TimeUnit.SECONDS);
            others.get(1).get(5, TimeUnit.SECONDS);
            assertThat(ran).containsExactly("owner", "second owner", "other 0", "other 1");
        }
    }

    @Test
    void aJobWhoseCallerHasGoneIsNeverRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean callerWaiting = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicBoolean hashed = new java.util.concurrent.atomic.AtomicBoolean();
        try (HashingPool pool = new HashingPool(1, 4)) {
            CompletableFuture<String> running = pool.submit(() -> await(release));
            CompletableFuture<String> abandoned = pool.submit(HashingPool.Lane.OTHER, callerWaiting::get, () -> {
                hashed.set(true);
                return "hash";
            });
            callerWaiting.set(false); // its deadline passed while it waited
            release.countDown();
            running.get(5, TimeUnit.SECONDS);
            assertThat(abandoned).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingCause().isInstanceOf(io.sessionauthority.service.error.CallerGoneException.class);
            assertThat(hashed).isFalse();
        }
    }

    private static void awaitQueueEmpty(HashingPool pool) {
        io.sessionauthority.service.testing.Await.until("the thread took the job", Duration.ofSeconds(5), () -> pool.queued() == 0);
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
