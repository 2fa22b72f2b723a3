package io.sessionauthority.service.health;

import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.protobuf.services.HealthStatusManager;
import io.sessionauthority.service.store.RedisProbe;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the standard gRPC health service reports: readiness for the whole server ("") and for
 * {@code sessionauthority.v1.SessionAuthorityService}, and whether this replica reaches Redis under
 * the name {@value #REDIS}.
 *
 * <p>Readiness says what this replica can do that another could not, as Kubernetes' guidance on
 * readiness and gRPC's on health checking ask: a load balancer moves calls away from a
 * NOT_SERVING replica, which helps only when another replica would answer them. So readiness is
 * NOT_SERVING until the replica has reached Redis and warmed up (grpc.SelfWarmUp), once shutdown
 * begins (for good), and while <em>its own</em> connection gets no answer although a new connection to
 * the same Redis does (a dead TCP path or NAT entry of this replica). A Redis problem every replica
 * shares (Redis down, stalled, failing over, a Cluster shard without a master) leaves readiness
 * SERVING: taking every replica out of rotation at once would turn the answers the fleet can still
 * give (hot sessions from memory, the shards that work, a clear UNAVAILABLE) into connection
 * errors. {@value #REDIS} follows Redis alone, for alerting (as does the
 * {@code session_authority_redis_reachable} gauge).
 *
 * <p>Redis is pinged every {@code interval}, and five times as often while it does not answer; a
 * ping that takes longer than {@code timeout} counts as no answer.
 */
public final class ServingStatus implements AutoCloseable {

    /** The health service name that reports whether this replica reaches Redis. */
    public static final String REDIS = "redis";

    private static final Logger LOG = LoggerFactory.getLogger(ServingStatus.class);
    /** Failed pings in a row before a new connection is asked: one miss is often a reconnect under way. */
    private static final int MISSES_BEFORE_SECOND_OPINION = 2;

    private final HealthStatusManager health;
    private final RedisProbe probe;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final Duration interval;
    private final Duration timeout;
    private final AtomicBoolean checkPending = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean warm;
    // Written by the health thread only.
    private volatile boolean reachedOnce;
    private volatile boolean redisAnswers;
    private volatile boolean ownConnectionBroken;
    private int misses;
    private long lastSecondOpinionNanos;

    /**
     * @param awaitWarmUp whether readiness waits for {@link #warmedUp} too (a replica whose first
     *                    callers would otherwise pay for its cold JVM)
     */
    public ServingStatus(HealthStatusManager health, RedisProbe probe, Duration interval, Duration timeout, boolean awaitWarmUp) {
        this.health = health;
        this.warm = !awaitWarmUp;
        this.probe = probe;
        this.interval = interval;
        this.timeout = timeout;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "health-probe");
            thread.setDaemon(true);
            return thread;
        });
        publish();
        scheduler.execute(this::checkAndReschedule);
    }

    /**
     * Checks Redis now rather than at the next interval: called on the Redis client's connection
     * events (lost, re-established, topology changed), so health follows a lost connection within
     * milliseconds. Checks requested while one is pending coalesce into it.
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

    /** Whether readiness is SERVING now (see the class comment). */
    public boolean isServing() {
        return !shuttingDown.get() && reachedOnce && warm && !ownConnectionBroken;
    }

    /** Whether Redis has answered since the start: what a warm-up waits for. */
    public boolean reachedRedis() {
        return reachedOnce;
    }

    /** Whether this status no longer follows anything (closed, or shutting down): waiting on it is over. */
    public boolean ended() {
        return closed || shuttingDown.get();
    }

    /**
     * Whether this replica's own Redis connection is known to be broken while Redis answers others:
     * then other replicas can record revokes this one cannot see, and nothing may be answered from
     * memory on the strength of an outage (session.HotSessions).
     */
    public boolean cutOffAlone() {
        return ownConnectionBroken;
    }

    /** The replica has warmed up: readiness may say SERVING. */
    public void warmedUp() {
        warm = true;
        publish();
    }

    /** Whether this replica's connection answered its last ping. */
    public boolean redisAnswers() {
        return redisAnswers;
    }

    /** Reports NOT_SERVING from now on: the first step of a graceful shutdown. */
    public void beginShutdown() {
        if (shuttingDown.compareAndSet(false, true)) {
            publish();
            LOG.info("Shutting down: health reports NOT_SERVING");
        }
    }

    private void checkOnce() {
        checkPending.set(false);
        check();
    }

    private void checkAndReschedule() {
        check();
        long next = redisAnswers ? interval.toMillis() : Math.max(50, interval.toMillis() / 5);
        try {
            scheduler.schedule(this::checkAndReschedule, next, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // shut down
        }
    }

    private void check() {
        boolean answers = answers(probe.ping());
        boolean wasReached = reachedOnce;
        boolean wasAnswering = redisAnswers;
        boolean wasBroken = ownConnectionBroken;
        if (answers) {
            misses = 0;
            reachedOnce = true;
            ownConnectionBroken = false;
        } else {
            misses++;
            if (misses >= MISSES_BEFORE_SECOND_OPINION && reachedOnce && secondOpinionDue()) {
                ownConnectionBroken = ownConnectionBroken();
            }
        }
        redisAnswers = answers;
        if (wasAnswering != answers && wasReached) {
            if (answers) {
                LOG.info("Redis answers again: health '{}' reports SERVING", REDIS);
            } else {
                LOG.warn("Redis does not answer: health '{}' reports NOT_SERVING; readiness stays as it is unless a new"
                        + " connection gets answers this one does not", REDIS);
            }
        }
        if (wasBroken != ownConnectionBroken) {
            if (ownConnectionBroken) {
                LOG.warn("This replica's Redis connection gets no answer while a new connection does: readiness reports"
                        + " NOT_SERVING until it recovers");
            } else {
                LOG.info("This replica's Redis connection answers again: readiness reports SERVING");
            }
        }
        publish();
    }

    /**
     * Whether this replica's own connection is broken while Redis serves others: a new connection is
     * answered, and then the own connection, still open (not reconnecting, which it does by itself
     * within a second), is still not. Asked again after the new one answered because the end of an
     * outage every replica shares looks the same for a moment: a restarted Redis answers a newcomer
     * while the own connection waits for its next reconnect, and a stalled one answers both at once
     * when it resumes. Without the second look every replica would leave rotation together.
     */
    private boolean ownConnectionBroken() {
        if (!answers(probe.pingOverNewConnection())) {
            return false; // Redis does not answer a newcomer either: shared, or indistinguishable from it
        }
        return probe.connectionOpen() && !answers(probe.ping());
    }

    /** At most one new connection per interval: during an outage every replica would otherwise knock 10 times a second. */
    private boolean secondOpinionDue() {
        long now = System.nanoTime();
        if (lastSecondOpinionNanos != 0 && now - lastSecondOpinionNanos < interval.toNanos()) {
            return false;
        }
        lastSecondOpinionNanos = now;
        return true;
    }

    private boolean answers(CompletionStage<Void> ping) {
        try {
            ping.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private synchronized void publish() {
        health.setStatus("", status(isServing()));
        health.setStatus(SessionAuthorityServiceGrpc.SERVICE_NAME, status(isServing()));
        health.setStatus(REDIS, status(redisAnswers));
    }

    private static HealthCheckResponse.ServingStatus status(boolean serving) {
        return serving ? HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING;
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
    }
}
