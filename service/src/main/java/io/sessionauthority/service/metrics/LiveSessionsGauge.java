package io.sessionauthority.service.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@code session_authority_sessions_live_approx}: keys with a TTL in Redis, which sessions dominate
 * (with tombstones, end reasons and login counters), read every {@code period}
 * from a count Redis keeps anyway; -1 until first read. Never scans the keyspace.
 */
public final class LiveSessionsGauge implements AutoCloseable {

    private final AtomicLong keys = new AtomicLong(-1);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "live-sessions-gauge");
        thread.setDaemon(true);
        return thread;
    });

    public LiveSessionsGauge(Supplier<CompletionStage<Long>> keysWithTtl, MeterRegistry registry, Duration period) {
        Gauge.builder("session_authority.sessions.live.approx", keys, AtomicLong::get)
                .description("Approximate live sessions: keys with a TTL in Redis (sessions, plus tombstones, end reasons "
                        + "and login counters); -1 until first read")
                .register(registry);
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                keysWithTtl.get().thenAccept(keys::set);
            } catch (RuntimeException e) {
                // A throw here would cancel the schedule for good; the next round tries again.
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The last value read. */
    public long value() {
        return keys.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
