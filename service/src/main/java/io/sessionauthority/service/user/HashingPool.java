package io.sessionauthority.service.user;

import io.sessionauthority.service.error.OverloadedException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(HashingPool.class);

    private final ThreadPoolExecutor executor;
    /**
     * Where a hash's result is delivered, at the normal scheduling policy. The hashing threads may run
     * at the lowest one (scheduling.IdleScheduling), where a thread waits for any idle CPU: what runs
     * after the hash (metrics, Redis calls, token generation, logging) must not run there, nor hold a
     * lock others need while it waits.
     */
    private final ExecutorService completions;
    private final Consumer<Duration> waitObserver;

    public HashingPool(int threads, int queueCapacity) {
        this(threads, queueCapacity, wait -> { }, () -> { });
    }

    /**
     * A pool that reports how long each job waited for a thread (for metrics); each of its threads
     * runs {@code onThreadStart} first (to lower its own scheduling; a failure there is logged, and
     * the thread works on).
     */
    public HashingPool(int threads, int queueCapacity, Consumer<Duration> waitObserver, Runnable onThreadStart) {
        this.waitObserver = waitObserver;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                runnable -> {
                    Thread thread = new Thread(() -> {
                        try {
                            onThreadStart.run();
                        } catch (RuntimeException e) {
                            LOG.warn("Password hashing thread set-up failed; it runs as it is", e);
                        }
                        runnable.run();
                    }, "password-hashing-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    // bcrypt takes whole cores for ~80 ms a hash: below the threads that answer Validate.
                    thread.setPriority(Thread.MIN_PRIORITY);
                    return thread;
                },
                new ThreadPoolExecutor.AbortPolicy());
        this.completions = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "password-hashing-done");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs {@code job} on the pool; fails with OverloadedException when the queue is full. The
     * answer is delivered on a thread at the normal scheduling policy.
     */
    public <T> CompletableFuture<T> submit(Supplier<T> job) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        long queuedAt = System.nanoTime();
        try {
            executor.execute(() -> {
                Duration waited = Duration.ofNanos(System.nanoTime() - queuedAt);
                T value = null;
                Throwable failure = null;
                try {
                    value = job.get();
                } catch (Throwable e) {
                    failure = e;
                }
                T result = value;
                Throwable error = failure;
                completions.execute(() -> {
                    waitObserver.accept(waited);
                    if (error == null) {
                        answer.complete(result);
                    } else {
                        answer.completeExceptionally(error);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new OverloadedException("PASSWORD_HASHING_BUSY",
                    "too many logins in progress; retry shortly", RETRY_AFTER));
        }
        return answer;
    }

    /** Jobs waiting for a thread. */
    public int queued() {
        return executor.getQueue().size();
    }

    @Override
    public void close() {
        executor.shutdown();
        completions.shutdown();
    }
}
