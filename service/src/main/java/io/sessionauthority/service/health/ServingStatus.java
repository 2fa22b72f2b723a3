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
    private volatile Boolean storeUp;

    public ServingStatus(HealthStatusManager health, RedisProbe probe, Duration interval) {
        this.health = health;
        this.probe = probe;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "health-probe");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
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

    private void check() {
        try {
            probe.ping().toCompletableFuture().get(2, TimeUnit.SECONDS);
            update(true);
        } catch (Exception e) {
            update(false);
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
