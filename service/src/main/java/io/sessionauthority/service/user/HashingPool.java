package io.sessionauthority.service.user;

import io.sessionauthority.service.error.CallerGoneException;
import io.sessionauthority.service.error.OverloadedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of threads for password hashing, with a bounded queue in two lanes in front.
 *
 * <p>bcrypt is deliberately slow; run on gRPC or Netty threads it would stall every other call.
 * When the queue is full a job is refused at once (load shedding) with RESOURCE_EXHAUSTED: a login
 * that would wait for seconds is worse than one the caller retries, and an unbounded queue would
 * let a login flood exhaust memory.
 *
 * <p>Lanes: a login from a known device (a valid device token: its owner, almost surely) goes in
 * {@link Lane#KNOWN_DEVICE}, everything else in {@link Lane#OTHER}. Threads take known-device jobs
 * first; other jobs may fill only three quarters of the queue, and when the whole queue is full a
 * known-device job takes the place of the newest other one, which is shed. With eighty bad-password
 * logins in flight, the owner on their phone waits for the hashes already running, not for the
 * guesses queued before them.
 *
 * <p>One more thread serves known-device jobs only, and at the normal scheduling policy: the
 * others may run under SCHED_IDLE (they take only CPU nothing else wants), and a flood of guesses
 * that keeps the CPU busy must not make the owner's one hash wait for idle CPU that never comes.
 *
 * <p>A job whose caller has gone (its deadline passed while it waited, or it cancelled) is never
 * run: it fails with {@link CallerGoneException}, and no one hashes for nobody.
 */
public final class HashingPool implements AutoCloseable {

    /** Which line a job waits in. */
    public enum Lane {
        /** A login presenting a valid device token of the user. */
        KNOWN_DEVICE,
        /** Every other hash: unknown devices, sign-ups, password changes without a known device. */
        OTHER
    }

    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(HashingPool.class);

    private final int capacity;
    private final int otherCapacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition jobsWaiting = lock.newCondition();
    private final ArrayDeque<Job<?>> known = new ArrayDeque<>();
    private final ArrayDeque<Job<?>> other = new ArrayDeque<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean closed;
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
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("a hashing pool needs at least one thread and one queue place");
        }
        this.capacity = queueCapacity;
        this.otherCapacity = Math.max(1, queueCapacity * 3 / 4);
        this.waitObserver = waitObserver;
        AtomicInteger count = new AtomicInteger();
        for (int i = 0; i < threads; i++) {
            Thread thread = new Thread(() -> {
                try {
                    onThreadStart.run();
                } catch (RuntimeException e) {
                    LOG.warn("Password hashing thread set-up failed; it runs as it is", e);
                }
                work(false);
            }, "password-hashing-" + count.incrementAndGet());
            thread.setDaemon(true);
            // bcrypt takes whole cores for ~80 ms a hash: below the threads that answer Validate.
            thread.setPriority(Thread.MIN_PRIORITY);
            this.threads.add(thread);
            thread.start();
        }
        Thread knownDevices = new Thread(() -> work(true), "password-hashing-known-devices");
        knownDevices.setDaemon(true);
        knownDevices.setPriority(Thread.MIN_PRIORITY);
        this.threads.add(knownDevices);
        knownDevices.start();
        this.completions = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "password-hashing-done");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs {@code job} in the other lane for a caller that always waits (sign-ups from tests, hash upgrades). */
    public <T> CompletableFuture<T> submit(Supplier<T> job) {
        return submit(Lane.OTHER, () -> true, job);
    }

    /**
     * Queues {@code job} in {@code lane}; fails with OverloadedException when there is no room for
     * it, and with CallerGoneException when {@code callerWaiting} says false as a thread takes it.
     * The answer is delivered on a thread at the normal scheduling policy.
     */
    public <T> CompletableFuture<T> submit(Lane lane, BooleanSupplier callerWaiting, Supplier<T> job) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        Job<T> queued = new Job<>(job, callerWaiting, answer, System.nanoTime());
        Job<?> shed = null;
        lock.lock();
        try {
            int total = known.size() + other.size();
            if (closed) {
                return CompletableFuture.failedFuture(busy());
            }
            if (lane == Lane.OTHER) {
                if (other.size() >= otherCapacity || total >= capacity) {
                    return CompletableFuture.failedFuture(busy());
                }
                other.addLast(queued);
            } else {
                if (total >= capacity) {
                    if (other.isEmpty()) {
                        return CompletableFuture.failedFuture(busy());
                    }
                    shed = other.pollLast(); // the newest of the others makes room
                }
                known.addLast(queued);
            }
            jobsWaiting.signalAll(); // the known-devices thread waits on the same condition for its lane only
        } finally {
            lock.unlock();
        }
        if (shed != null) {
            shed.answer.completeExceptionally(busy());
        }
        return answer;
    }

    private static OverloadedException busy() {
        return new OverloadedException("PASSWORD_HASHING_BUSY", "too many logins in progress; retry shortly", RETRY_AFTER);
    }

    private void work(boolean knownDevicesOnly) {
        while (true) {
            Job<?> job;
            lock.lock();
            try {
                while (known.isEmpty() && (knownDevicesOnly || other.isEmpty()) && !closed) {
                    jobsWaiting.awaitUninterruptibly();
                }
                if (closed && known.isEmpty() && (knownDevicesOnly || other.isEmpty())) {
                    return;
                }
                job = known.isEmpty() ? other.pollFirst() : known.pollFirst();
            } finally {
                lock.unlock();
            }
            run(job);
        }
    }

    /**
     * Fails at once with OverloadedException when a job in {@code lane} would be refused now: lets a
     * caller shed a login before it does any other work for it (throttle scripts in Redis).
     */
    public void requireRoom(Lane lane) {
        if (!hasRoom(lane)) {
            throw busy();
        }
    }

    /** Whether a job in {@code lane} would be queued now. */
    public boolean hasRoom(Lane lane) {
        lock.lock();
        try {
            int total = known.size() + other.size();
            return lane == Lane.KNOWN_DEVICE ? total < capacity || !other.isEmpty() : other.size() < otherCapacity && total < capacity;
        } finally {
            lock.unlock();
        }
    }

    private <T> void run(Job<T> job) {
        Duration waited = Duration.ofNanos(System.nanoTime() - job.queuedAt);
        T value = null;
        Throwable failure = null;
        if (!job.callerWaiting.getAsBoolean()) {
            failure = new CallerGoneException();
        } else {
            try {
                value = job.work.get();
            } catch (Throwable e) {
                failure = e;
            }
        }
        T result = value;
        Throwable error = failure;
        completions.execute(() -> {
            waitObserver.accept(waited);
            if (error == null) {
                job.answer.complete(result);
            } else {
                job.answer.completeExceptionally(error);
            }
        });
    }

    /** Jobs waiting for a thread, in both lanes. */
    public int queued() {
        lock.lock();
        try {
            return known.size() + other.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            jobsWaiting.signalAll();
        } finally {
            lock.unlock();
        }
        completions.shutdown();
    }

    private record Job<T>(Supplier<T> work, BooleanSupplier callerWaiting, CompletableFuture<T> answer, long queuedAt) {
    }
}
