package io.sessionauthority.service.session;

import io.sessionauthority.cache.RevocationAwareCache;
import io.sessionauthority.service.revocation.Cursors;
import io.sessionauthority.service.revocation.Revocation;
import io.sessionauthority.service.revocation.RevocationHub;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live Validate answers kept in the service's memory, so hot tokens are answered without a Redis
 * round trip, and forgotten the moment a revocation event covers them: kept in a
 * {@link RevocationAwareCache}, the one mechanism the SDK's cache uses too, with its guarantee
 * (a read that raced an event does not keep its answer). Events come from this replica's {@link RevocationHub}
 * (a revoke made through another replica is seen within milliseconds), and a revoke made
 * through this replica is applied here before its caller is answered.
 *
 * <p>Entries are used only while the hub reads the log (else every Validate asks Redis, which
 * is down or lagging anyway); an entry lives at most {@code maxAge} and never past the session's
 * idle or absolute expiry as Redis last said it. Keys are session ids, themselves one-way hashes
 * of the tokens.
 *
 * <p><b>While Redis cannot be asked</b> (a failover, an outage), {@link #whileUnreachable} answers a
 * kept session for at most {@code outageGrace} after the hub's last successful read of the log,
 * still within the entry's own bounds (max age, idle and absolute expiry as Redis last said).
 * Why this cannot answer "live" for a session a revoke ended: a revoke needs Redis too. It ends the
 * session with a Redis write and then appends its event; while Redis is down for every replica,
 * no revoke succeeds anywhere, and one that succeeded before was read by the hub (or applied here,
 * for a revoke made through this replica) before the read this grace counts from. If only this
 * replica is cut off while others still reach Redis, they can record revokes it cannot see: once
 * health has told that case apart ({@code cutOffAlone}: its own connection dead while a new one is
 * answered) nothing is answered from memory; before that, or where a new connection fails too (a
 * partition of this replica alone), a revoke made through another replica is missed for at most
 * {@code outageGrace} after that last read: the bound, and the reason it is a few seconds.
 * After a failover that lost events the hub starts a new epoch and every entry is forgotten.
 */
public final class HotSessions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HotSessions.class);
    private static final int BATCH = 1024;

    private final RevocationHub hub;
    private final long maxAgeMillis;
    private final Duration outageGrace;
    private final BooleanSupplier cutOffAlone;
    private final AtomicLong answersWhileUnreachable = new AtomicLong();
    private final Clock clock;
    private final RevocationAwareCache<String, Session> entries;
    private final ExecutorService drainer;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable unsubscribe;
    private volatile String cursor;
    private volatile long hubEpoch;
    /** The hub's {@code eventsRead()} that this cache has applied: trusted only while they match. */
    private volatile long drainedUpTo = -1;

    /**
     * @param outageGrace how long after the last successful read of the revocation log kept answers
     *                    still serve while Redis cannot be asked (zero: never)
     * @param cutOffAlone whether this replica is known to be cut off from a Redis that answers others
     *                    (then never from memory: others can record revokes it cannot see)
     */
    public HotSessions(RevocationHub hub, int maxEntries, Duration maxAge, Duration outageGrace, BooleanSupplier cutOffAlone,
                       Clock clock) {
        this.hub = hub;
        this.maxAgeMillis = maxAge.toMillis();
        this.outageGrace = outageGrace;
        this.cutOffAlone = cutOffAlone;
        this.clock = clock;
        this.entries = new RevocationAwareCache<>(maxEntries, clock, Session::userId, Session::sessionId);
        this.drainer = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "hot-sessions");
            thread.setDaemon(true);
            return thread;
        });
        this.unsubscribe = hub.subscribe(this::wake);
        wake();
    }

    /**
     * The live answer for the token of session {@code sessionId} when one is kept and may be trusted
     * now. Keyed by the session id: a one-way hash of the whole token (see SessionTokens), so no
     * token is held, no second digest is computed, and another token never finds this answer.
     */
    public Optional<SessionCheck> get(String sessionId) {
        if (!usable()) {
            return Optional.empty();
        }
        return Optional.ofNullable(entries.get(sessionId)).map(SessionCheck::live);
    }

    /**
     * The kept answer for session {@code sessionId} when Redis could not be asked just now (see the
     * class comment): only within the outage grace, and only while this cache has applied every
     * event the hub read in its current epoch.
     */
    public Optional<SessionCheck> whileUnreachable(String sessionId) {
        if (outageGrace.isZero() || cursor == null || hub.epoch() != hubEpoch || hub.eventsRead() != drainedUpTo
                || !hub.readWithin(outageGrace) || cutOffAlone.getAsBoolean()) {
            return Optional.empty();
        }
        Session session = entries.get(sessionId);
        if (session == null) {
            return Optional.empty();
        }
        answersWhileUnreachable.incrementAndGet();
        return Optional.of(SessionCheck.live(session));
    }

    /** Answers given by {@link #whileUnreachable} since the start. */
    public long answersWhileUnreachable() {
        return answersWhileUnreachable.get();
    }

    /** Marks the start of a read from Redis: pass the value to {@link #put}. */
    public long begin() {
        return entries.begin();
    }

    /**
     * Keeps a live answer read since {@code begun}, unless an event since then covers it, or the
     * answer kept already was last seen later (a read from Redis that began before a Touch through
     * this replica, answering after it, must not bring back what the Touch changed).
     */
    public void put(SessionCheck check, long begun) {
        if (check.isLive()) {
            Session kept = entries.get(check.session().sessionId());
            if (kept != null && kept.lastSeenTime().isAfter(check.session().lastSeenTime())) {
                return;
            }
        }
        keep(check, begun);
    }

    /**
     * As {@link #put}, for the answer of a Touch made through this replica: it is the latest write
     * this replica knows of, so it replaces the kept answer whatever the last-seen times say (each
     * replica's clock writes them; a skewed one must not make this replica's own Touch invisible).
     */
    public void putTouched(SessionCheck check, long begun) {
        keep(check, begun);
    }

    private void keep(SessionCheck check, long begun) {
        if (!check.isLive() || !usable()) {
            return;
        }
        Session session = check.session();
        long freshUntil = Math.min(clock.millis() + maxAgeMillis,
                Math.min(session.idleExpireTime().toEpochMilli(), session.expireTime().toEpochMilli()));
        entries.put(session.sessionId(), session, freshUntil, begun);
    }

    /** Applies an event now: a revoke made through this replica, before its caller hears of it. */
    public void apply(Revocation event) {
        entries.revoke(event.userId(), event.sessionId(), event.exceptSessionId());
    }

    public int size() {
        return entries.size();
    }

    /** Trusted only while the hub reads the log and this cache has applied every event the hub read. */
    private boolean usable() {
        return cursor != null && hub.live() && hub.epoch() == hubEpoch && hub.eventsRead() == drainedUpTo;
    }

    private void wake() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                drainer.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // closed
            }
        }
    }

    /** Reads the hub's events after this cache's cursor and applies them, until caught up. */
    private void drain() {
        drainScheduled.set(false);
        try {
            long epochNow = hub.epoch();
            if (cursor == null || epochNow != hubEpoch) {
                clear();
                long read = hub.eventsRead();
                String position = hub.position();
                if (position == null) {
                    return; // the hub has not read the log yet; it wakes us when it has
                }
                hubEpoch = epochNow;
                cursor = position;
                drainedUpTo = read; // position was read after the count: no event is missed, some may repeat
            }
            while (true) {
                long target = hub.eventsRead();
                RevocationHub.Batch batch = hub.after(cursor, BATCH).toCompletableFuture().get(5, TimeUnit.SECONDS);
                if (batch.isReset()) {
                    clear();
                    cursor = batch.resetTo();
                    continue;
                }
                for (Revocation event : batch.events()) {
                    apply(event);
                    cursor = event.cursor();
                }
                if (batch.events().size() < BATCH) {
                    drainedUpTo = target; // every event the hub had read before this batch is applied
                    if (hub.eventsRead() != target) {
                        wake(); // more arrived meanwhile
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Not trusted until a drain succeeds: forget everything, start again from the hub's position.
            LOG.debug("hot sessions could not follow the revocation log: {}", e.toString());
            cursor = null;
            clear();
            retryLater();
        }
    }

    private void retryLater() {
        Thread retry = new Thread(() -> {
            try {
                Thread.sleep(200);
                wake();
            } catch (InterruptedException ignored) {
                // closing
            }
        }, "hot-sessions-retry");
        retry.setDaemon(true);
        retry.start();
    }

    private void clear() {
        drainedUpTo = -1;
        entries.clear();
    }

    @Override
    public void close() {
        unsubscribe.run();
        drainer.shutdownNow();
    }

    /** Whether {@code cursor} is at or past the hub's position (for tests). */
    boolean caughtUp() {
        String position = hub.position();
        return cursor != null && position != null && Cursors.compare(cursor, position) >= 0;
    }
}
