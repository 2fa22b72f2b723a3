package io.sessionauthority.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives one asynchronous operation and records its latencies in an HdrHistogram.
 *
 * <ul>
 *   <li>Closed loop: {@code concurrency} calls always in flight, each completion starting the next —
 *       the peak throughput.</li>
 *   <li>Open loop: calls started on a fixed schedule at {@code rate} per second whatever the answers
 *       do, latency measured from each call's <em>intended</em> start, so a stall shows up in the
 *       percentiles instead of silently slowing the load (no coordinated omission).</li>
 *   <li>Open-loop mix: as open loop, with Poisson arrivals (exponential gaps, as independent callers
 *       produce) and each call drawn from weighted operations, each with its own histogram.</li>
 * </ul>
 */
final class LoadRun {

    /** One call: starts it and returns its future. */
    interface Operation extends Supplier<ListenableFuture<?>> {
    }

    record Result(String name, long calls, long errors, double seconds, Histogram latencyMicros) {
        double throughput() {
            return calls / seconds;
        }

        double percentileMillis(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private LoadRun() {
    }

    static Result closedLoop(String name, Operation operation, int concurrency, Duration duration) {
        Recorder recorder = new Recorder(3_600_000_000L, 3);
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Semaphore slots = new Semaphore(concurrency);
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            try {
                if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long sent = System.nanoTime();
            track(operation.get(), sent, recorder, calls, errors, slots);
        }
        awaitDrain(slots, concurrency);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(name, calls.get(), errors.get(), seconds, recorder.getIntervalHistogram());
    }

    static Result openLoop(String name, Operation operation, double rate, Duration duration, int maxInFlight) {
        Recorder recorder = new Recorder(3_600_000_000L, 3);
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Semaphore slots = new Semaphore(maxInFlight);
        long intervalNanos = (long) (1e9 / rate);
        long total = (long) (rate * duration.toNanos() / 1e9);
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long intended = start + i * intervalNanos;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.toMicros(wait);
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            if (!slots.tryAcquire()) {
                // The service fell this far behind: counted as an error (the table shows it), never as
                // a near-zero latency that would flatter the percentiles exactly under overload.
                errors.incrementAndGet();
                continue;
            }
            track(operation.get(), intended, recorder, calls, errors, slots);
        }
        awaitDrain(slots, maxInFlight);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(name, calls.get(), errors.get(), seconds, recorder.getIntervalHistogram());
    }

    /** One operation of a mix and its share of the calls (weights need not sum to 100). */
    record Weighted(String name, double weight, Operation operation) {
    }

    /**
     * An open-loop run of a mix: arrivals at {@code rate} per second on average, Poisson (seeded, so
     * two runs with the same seed offer the same schedule), each call's operation drawn by weight.
     * Answers one result per operation, named {@code name: operation}, latencies from each call's
     * intended start.
     */
    static List<Result> openLoopMix(String name, List<Weighted> mix, double rate, Duration duration, int maxInFlight, long seed) {
        int n = mix.size();
        Recorder[] recorders = new Recorder[n];
        AtomicLong[] calls = new AtomicLong[n];
        AtomicLong[] errors = new AtomicLong[n];
        double[] cumulative = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            recorders[i] = new Recorder(3_600_000_000L, 3);
            calls[i] = new AtomicLong();
            errors[i] = new AtomicLong();
            total += mix.get(i).weight();
            cumulative[i] = total;
        }
        SplittableRandom random = new SplittableRandom(seed);
        Semaphore slots = new Semaphore(maxInFlight);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        double meanGapNanos = 1e9 / rate;
        long intended = start;
        while (true) {
            intended += (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos);
            if (intended >= end) {
                break;
            }
            double dice = random.nextDouble() * total;
            int op = 0;
            while (cumulative[op] <= dice && op < n - 1) {
                op++;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            if (!slots.tryAcquire()) {
                errors[op].incrementAndGet(); // as in openLoop: never a flattering near-zero latency
                continue;
            }
            track(mix.get(op).operation().get(), intended, recorders[op], calls[op], errors[op], slots);
        }
        awaitDrain(slots, maxInFlight);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(new Result(name + ": " + mix.get(i).name(), calls[i].get(), errors[i].get(), seconds,
                    recorders[i].getIntervalHistogram()));
        }
        return results;
    }

    /** The results as one, their histograms added (e.g. every Validate of a mix, hot and from Redis). */
    static Result combined(String name, List<Result> results) {
        Histogram all = new Histogram(3_600_000_000L, 3);
        long calls = 0;
        long errors = 0;
        for (Result result : results) {
            all.add(result.latencyMicros());
            calls += result.calls();
            errors += result.errors();
        }
        return new Result(name, calls, errors, results.get(0).seconds(), all);
    }

    /** Runs {@code background} in a closed loop on its own thread while {@code foreground} runs. */
    static Result during(Result[] backgroundResult, String backgroundName, Operation background, int backgroundConcurrency,
                         Supplier<Result> foreground, Duration duration) {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        try {
            var burst = thread.submit(() -> closedLoop(backgroundName, background, backgroundConcurrency, duration));
            Result result = foreground.get();
            backgroundResult[0] = burst.get();
            return result;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            thread.shutdownNow();
        }
    }

    private static void track(ListenableFuture<?> future, long startNanos, Recorder recorder, AtomicLong calls,
                              AtomicLong errors, Semaphore slots) {
        Futures.addCallback(future, new FutureCallback<Object>() {
            @Override
            public void onSuccess(Object result) {
                recorder.recordValue(Math.max(1, (System.nanoTime() - startNanos) / 1000));
                calls.incrementAndGet();
                slots.release();
            }

            @Override
            public void onFailure(Throwable error) {
                recorder.recordValue(Math.max(1, (System.nanoTime() - startNanos) / 1000));
                errors.incrementAndGet();
                slots.release();
            }
        }, MoreExecutors.directExecutor());
    }

    private static void awaitDrain(Semaphore slots, int permits) {
        try {
            slots.tryAcquire(permits, 30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
