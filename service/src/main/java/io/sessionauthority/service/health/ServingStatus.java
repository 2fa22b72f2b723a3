package io.sessionauthority.service.health;

import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.protobuf.services.HealthStatusManager;
import io.sessionauthority.service.store.RedisProbe;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the standard gRPC health service reports, for the whole server ("") and for
 * {@code sessionauthority.v1.SessionAuthorityService}: SERVING while Redis answers, NOT_SERVING
 * while it does not (checked every {@code interval}), and NOT_SERVING for good once shutdown begins,
 * so load balancers and Kubernetes stop sending calls before the server stops taking them.
 */
public final class ServingStatus implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingStatus.class);

    private final HealthStatusManager health;
    private final RedisProbe probe;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final Duration interval;
    private final AtomicBoolean checkPending = new AtomicBoolean();
    private volatile Boolean storeUp;

    public ServingStatus(HealthStatusManager health, RedisProbe probe, Duration interval) {
        this.health = health;
        this.probe = probe;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "health-probe");
            thread.setDaemon(true);
            return thread;
        });
        this.interval = interval;
        scheduler.execute(this::checkAndReschedule);
    }

    /**
     * Checks Redis now rather than at the next interval: called on the Redis client's connection
     * events (lost, re-established, topology changed), so health follows a lost connection within
     * milliseconds instead of saying SERVING while calls fail. Checks requested while one is pending
     * coalesce into it.
     */
    public void checkSoon() {
        if (checkPending.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::checkOnce);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // shut down
            }
        }
    }

    private void checkOnce() {
        checkPending.set(false);
        update(storeAnswers());
    }

    /** Whether the service reports SERVING now. */
    public boolean isServing() {
        return !shuttingDown.get() && Boolean.TRUE.equals(storeUp);
    }

    /** Reports NOT_SERVING from now on: the first step of a graceful shutdown. */
    public synchronized void beginShutdown() {
        if (shuttingDown.compareAndSet(false, true)) {
            set(HealthCheckResponse.ServingStatus.NOT_SERVING);
            LOG.info("Shutting down: health reports NOT_SERVING");
        }
    }

    /**
     * Checks Redis every {@code interval} while it serves, and five times as often while it does not:
     * readiness comes back within a fraction of a second of Redis, as calls do.
     */
    private void checkAndReschedule() {
        boolean up = storeAnswers();
        update(up);
        long next = up ? interval.toMillis() : Math.max(50, interval.toMillis() / 5);
        try {
            scheduler.schedule(this::checkAndReschedule, next, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // shut down
        }
    }

    private boolean storeAnswers() {
        try {
            probe.ping().toCompletableFuture().get(2, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private synchronized void update(boolean up) {
        if (shuttingDown.get()) {
            return;
        }
        Boolean previous = storeUp;
        storeUp = up;
        set(up ? HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING);
        if (previous != null && previous != up) {
            if (up) {
                LOG.info("Redis answers again: health reports SERVING");
            } else {
                LOG.warn("Redis does not answer: health reports NOT_SERVING");
            }
        }
    }

    private void set(HealthCheckResponse.ServingStatus status) {
        health.setStatus("", status);
        health.setStatus(SessionAuthorityServiceGrpc.SERVICE_NAME, status);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
