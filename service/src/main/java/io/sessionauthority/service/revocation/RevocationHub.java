package io.sessionauthority.service.revocation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reader of the revocation log per service replica, fanned out to every subscriber: the SDKs'
 * streams and the service's own cache. Keeps the newest events in memory, so subscribers that keep
 * up are served without Redis; one that resumes from an older cursor reads the log itself.
 *
 * <p>The hub is <em>live</em> while its reads of the log succeed; subscribers are told it is alive
 * (heartbeats) only then, so a cache never trusts a stream that stopped moving. When a Redis
 * failover loses events the hub had already read (they were never acknowledged as durable, or the
 * new master would have them), the log's end moves back: the hub starts a new epoch, and every
 * subscriber must forget what it derived from the lost ones.
 */
public final class RevocationHub implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RevocationHub.class);

    private final RevocationLog log;
    private final int memoryEvents;
    private final Duration pollWait;
    private final Duration staleAfter;
    private final ArrayDeque<Revocation> recent = new ArrayDeque<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean closed;
    private volatile long lastReadNanos;
    /** Set by a failed read, cleared by the next good one: not live from the first failure on. */
    private volatile boolean failing;
    private volatile long epoch;
    /** Every event in (recentStart, position] is in {@code recent}. Written under this. */
    private String recentStart;
    private volatile String position;
    /** Events read since the start (and since the last new epoch): lets a reader tell it is caught up. */
    private volatile long eventsRead;
    private long lastEndCheckNanos = System.nanoTime();

    /**
     * @param memoryEvents how many of the newest events to keep in memory
     * @param pollWait     how long one read of the log waits for new events
     * @param staleAfter   how long without a successful read before the hub is not live
     */
    public RevocationHub(RevocationLog log, int memoryEvents, Duration pollWait, Duration staleAfter) {
        this.log = log;
        this.memoryEvents = memoryEvents;
        this.pollWait = pollWait;
        this.staleAfter = staleAfter;
        this.reader = new Thread(this::readLoop, "revocation-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Whether the hub read the log recently: what heartbeats vouch for. */
    public boolean live() {
        return !failing && position() != null && System.nanoTime() - lastReadNanos < staleAfter.toNanos();
    }

    /** Whether the hub's last successful read of the log ended less than {@code within} ago. */
    public boolean readWithin(Duration within) {
        return position() != null && System.nanoTime() - lastReadNanos < within.toNanos();
    }

    /** Bumped whenever events the hub had handed out were lost by the log (see the class comment). */
    public long epoch() {
        return epoch;
    }

    /** The newest cursor the hub has read, or null before its first read. */
    public String position() {
        return position;
    }

    /** How many events the hub has read in this epoch; a reader that has seen as many is caught up. */
    public long eventsRead() {
        return eventsRead;
    }

    /** Calls {@code listener} (on the reader's thread: keep it short) after new events or a new epoch. */
    public Runnable subscribe(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Up to {@code max} events after {@code cursor}: from memory when they are still there, else from
     * the log. A reset when events after the cursor are gone (trimmed by retention, or lost by a
     * failover) or the cursor is ahead of the log.
     */
    public CompletionStage<Batch> after(String cursor, int max) {
        synchronized (this) {
            if (position == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("the revocation log has not been read yet"));
            }
            if (Cursors.compare(cursor, position) > 0) {
                return CompletableFuture.completedFuture(Batch.reset(position));
            }
            if (Cursors.compare(cursor, recentStart) >= 0) {
                // From the newest back to the cursor: a subscriber that keeps up costs a step or two.
                ArrayDeque<Revocation> after = new ArrayDeque<>();
                for (java.util.Iterator<Revocation> it = recent.descendingIterator(); it.hasNext(); ) {
                    Revocation event = it.next();
                    if (Cursors.compare(event.cursor(), cursor) <= 0) {
                        break;
                    }
                    after.addFirst(event);
                }
                List<Revocation> events = new ArrayList<>(Math.min(max, after.size()));
                for (Revocation event : after) {
                    if (events.size() == max) {
                        break;
                    }
                    events.add(event);
                }
                return CompletableFuture.completedFuture(Batch.of(events));
            }
        }
        return log.after(cursor, max).thenApply(page -> page.gap() ? Batch.reset(position()) : Batch.of(page.events()));
    }

    private void readLoop() {
        while (!closed) {
            try {
                if (position() == null) {
                    start(log.end().toCompletableFuture().get(10, TimeUnit.SECONDS));
                }
                List<Revocation> events = log.await(position(), pollWait).toCompletableFuture().get(pollWait.toMillis() + 10_000,
                        TimeUnit.MILLISECONDS);
                lastReadNanos = System.nanoTime();
                failing = false;
                if (!events.isEmpty()) {
                    append(events);
                    notifyListeners();
                } else if (System.nanoTime() - lastEndCheckNanos > TimeUnit.SECONDS.toNanos(1)) {
                    // Lettuce replays a read in flight on the new connection after a reconnect, so a
                    // failover need not fail a read: look at the log's end once a second anyway.
                    lastEndCheckNanos = System.nanoTime();
                    checkEnd();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                failing = true;
                LOG.debug("reading the revocation log failed: {}", e.toString());
                pause();
                checkEnd();
            }
        }
    }

    private void start(String end) {
        synchronized (this) {
            position = end;
            recentStart = end;
            lastReadNanos = System.nanoTime();
        }
        notifyListeners(); // readers waiting for a first position can start
    }

    private synchronized void append(List<Revocation> events) {
        for (Revocation event : events) {
            recent.addLast(event);
            position = event.cursor();
        }
        eventsRead += events.size();
        while (recent.size() > memoryEvents) {
            recentStart = recent.removeFirst().cursor();
        }
    }

    private void notifyListeners() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("a revocation listener failed: {}", e.toString());
            }
        }
    }

    /** If the log's end is now behind what the hub read, a failover lost events: a new epoch. */
    private void checkEnd() {
        try {
            String end = log.end().toCompletableFuture().get(2, TimeUnit.SECONDS);
            boolean lost;
            synchronized (this) {
                lost = position != null && Cursors.compare(end, position) < 0;
                if (lost) {
                    recent.clear();
                    position = end;
                    recentStart = end;
                    eventsRead = 0;
                    epoch++;
                }
            }
            if (lost) {
                LOG.warn("The revocation log lost events this replica had read (a Redis failover): subscribers must resync");
                notifyListeners();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception stillDown) {
            // the next read tries again
        }
    }

    private void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
    }

    /** Events after a cursor, or a reset: the reader must forget what it derived and continue from {@code resetTo}. */
    public record Batch(List<Revocation> events, String resetTo) {
        static Batch of(List<Revocation> events) {
            return new Batch(events, null);
        }

        static Batch reset(String to) {
            return new Batch(List.of(), to);
        }

        public boolean isReset() {
            return resetTo != null;
        }
    }
}
