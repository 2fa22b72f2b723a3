package io.sessionauthority.service.user;

import io.sessionauthority.service.error.OverloadedException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A fixed set of threads for password hashing, with a bounded queue in front.
 *
 * <p>bcrypt is deliberately slow; run on gRPC or Netty threads it would stall every other call.
 * When the queue is full the job is refused at once (load shedding) with RESOURCE_EXHAUSTED: a
 * login that would wait for seconds is worse than one the caller retries, and an unbounded queue
 * would let a login flood exhaust memory.
 */
public final class HashingPool implements AutoCloseable {

    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final ThreadPoolExecutor executor;
    private final Consumer<Duration> waitObserver;

    public HashingPool(int threads, int queueCapacity) {
        this(threads, queueCapacity, wait -> { }, () -> { });
    }

    /**
     * A pool that reports how long each job waited for a thread (for metrics); each of its threads
     * runs {@code onThreadStart} first (to lower its own scheduling).
     */
    public HashingPool(int threads, int queueCapacity, Consumer<Duration> waitObserver, Runnable onThreadStart) {
        this.waitObserver = waitObserver;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                runnable -> {
                    Thread thread = new Thread(() -> {
                        onThreadStart.run();
                        runnable.run();
                    }, "password-hashing-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    // bcrypt takes whole cores for ~80 ms a hash: below the threads that answer Validate.
                    thread.setPriority(Thread.MIN_PRIORITY);
                    return thread;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** Runs {@code job} on the pool; fails with OverloadedException when the queue is full. */
    public <T> CompletableFuture<T> submit(Supplier<T> job) {
        try {
            long queuedAt = System.nanoTime();
            return CompletableFuture.supplyAsync(() -> {
                waitObserver.accept(Duration.ofNanos(System.nanoTime() - queuedAt));
                return job.get();
            }, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new OverloadedException("PASSWORD_HASHING_BUSY",
                    "too many logins in progress; retry shortly", RETRY_AFTER));
        }
    }

    /** Jobs waiting for a thread. */
    public int queued() {
        return executor.getQueue().size();
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
