package io.sessionauthority.service.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.OverloadedException;
import io.sessionauthority.service.error.ThrottledException;
import io.sessionauthority.service.error.StoreUnavailableException;
import io.sessionauthority.service.session.SessionLimitReachedException;
import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.session.HotSessions;
import io.sessionauthority.service.user.HashingPool;

/** Counters of outcomes that matter to operators, beyond per-RPC status codes. */
public final class ServiceMetrics {

    private final MeterRegistry registry;

    public ServiceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Counts a login by outcome: {@code success}, {@code bad_credentials}, {@code throttled} (locked
     * out), {@code shed} (hashing pool full), {@code invalid}, {@code unavailable} or {@code error}.
     */
    public void login(Throwable error) {
        Counter.builder("session_authority.logins").description("Logins by outcome")
                .tag("outcome", outcome(error)).register(registry).increment();
    }

    /** The hashing pool's queue as a gauge, and a timer for how long each hash waits for a thread. */
    public HashingPool instrumented(int threads, int queueCapacity, Runnable onThreadStart) {
        Timer wait = Timer.builder("session_authority.hashing.wait")
                .description("Time a password hash waited for a hashing thread")
                .publishPercentileHistogram()
                .register(registry);
        HashingPool pool = new HashingPool(threads, queueCapacity, wait::record, onThreadStart);
        Gauge.builder("session_authority.hashing.queue", pool, HashingPool::queued)
                .description("Password hashes waiting for a hashing thread")
                .register(registry);
        return pool;
    }

    /**
     * Readiness and Redis reachability as 0/1 gauges: readiness stays 1 through an outage every
     * replica shares (see health.ServingStatus), so alerting must watch Redis reachability itself.
     */
    public void health(java.util.function.BooleanSupplier ready, java.util.function.BooleanSupplier redisAnswers) {
        Gauge.builder("session_authority.ready", ready, serving -> serving.getAsBoolean() ? 1 : 0)
                .description("1 while this replica reports SERVING (in rotation), else 0")
                .strongReference(true) // a method reference has no other holder: weakly held, it reads NaN after a GC
                .register(registry);
        Gauge.builder("session_authority.redis.reachable", redisAnswers, answers -> answers.getAsBoolean() ? 1 : 0)
                .description("1 while this replica's Redis connection answers its health pings, else 0")
                .strongReference(true)
                .register(registry);
    }

    /** Validate answers given from memory while Redis could not be asked (session.HotSessions' outage grace). */
    public void answersWhileUnreachable(HotSessions hot) {
        FunctionCounter.builder("session_authority.validations.while_unreachable", hot, HotSessions::answersWhileUnreachable)
                .description("Validate and Check answers given from this replica's memory while Redis could not be asked")
                .register(registry);
    }

    static String outcome(Throwable error) {
        Throwable cause = error == null ? null : Failures.unwrap(error);
        if (cause == null) {
            return "success";
        } else if (cause instanceof InvalidCredentialsException) {
            return "bad_credentials";
        } else if (cause instanceof ThrottledException) {
            return "throttled";
        } else if (cause instanceof OverloadedException) {
            return "shed";
        } else if (cause instanceof InvalidArgumentException) {
            return "invalid";
        } else if (cause instanceof StoreUnavailableException) {
            return "unavailable";
        } else if (cause instanceof SessionLimitReachedException) {
            return "session_limit";
        }
        return "error";
    }
}
