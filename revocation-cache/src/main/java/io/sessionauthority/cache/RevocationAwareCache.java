package io.sessionauthority.cache;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Answers about sessions kept in process, forgotten the moment an event says their session ended:
 * the one mechanism behind the service's hot sessions and the client SDK's validation cache.
 *
 * <p>An answer is read from somewhere slower (Redis, the authority) while events may end its
 * session, so an answer read before an event must not be kept after it. Every event takes the next
 * epoch and is remembered with it (the last {@value #RECENT_EVENTS}); a reader takes the epoch with
 * {@link #begin()} before it reads and hands it to {@link #put}, which keeps the answer only if no
 * event since then ends its session. An answer is stored first as pending — indexed, so an event
 * finds it, but never answered — then checked once more against the events applied while it was
 * stored, and only then made answerable, in one atomic step that fails if an event removed it
 * meanwhile. (Answerable at once, a concurrent read could be answered "live" in the instant between
 * the store and the check, after the revoke had returned.) When the events since a read are no
 * longer all remembered, or the cache was {@link #clear() cleared} since, the answer is not kept:
 * unsure means not kept.
 *
 * <p>Each entry lives until the time its owner gives (never past what the source said) and is found
 * by key; a per-user index lets an event find its entries without a scan. Bounded by
 * {@code maxEntries}: on overflow, expired entries go first, then an arbitrary eighth — no
 * recency bookkeeping on the read path, which is one map lookup.
 *
 * <p>A value whose user is null belongs to no session (a refusal kept briefly): it is bounded and
 * expires like the rest, and no event touches it.
 *
 * @param <K> the key: a digest of the token, or something derived from it one-way — never the token
 * @param <V> the kept answer
 */
public final class RevocationAwareCache<K, V> {

    static final int RECENT_EVENTS = 4096;

    /** Compared by identity: a put makes its own pending entry answerable, never another put's. */
    private static final class Entry<V> {
        final V value;
        final String userId;
        final String sessionId;
        final long freshUntilMillis;
        final long storedAtMillis;
        final boolean answerable;

        Entry(V value, String userId, String sessionId, long freshUntilMillis, long storedAtMillis, boolean answerable) {
            this.value = value;
            this.userId = userId;
            this.sessionId = sessionId;
            this.freshUntilMillis = freshUntilMillis;
            this.storedAtMillis = storedAtMillis;
            this.answerable = answerable;
        }

        Entry<V> answerable() {
            return new Entry<>(value, userId, sessionId, freshUntilMillis, storedAtMillis, true);
        }
    }

    private record Event(long epoch, String userId, String sessionId, String exceptSessionId) {
        boolean ends(String user, String session) {
            if (!userId.equals(user)) {
                return false;
            }
            return sessionId.isEmpty() ? !exceptSessionId.equals(session) : sessionId.equals(session);
        }
    }

    private final int maxEntries;
    private final Clock clock;
    private final Function<V, String> userOf;
    private final Function<V, String> sessionOf;
    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<K>> keysByUser = new ConcurrentHashMap<>();
    private final AtomicLong epoch = new AtomicLong();
    private final ArrayDeque<Event> recent = new ArrayDeque<>();
    private volatile long clearedAtEpoch;

    /**
     * @param maxEntries the most entries kept (0: none)
     * @param userOf     the user whose session a value is; null for a value that belongs to none
     * @param sessionOf  the session a value is about
     */
    public RevocationAwareCache(int maxEntries, Clock clock, Function<V, String> userOf, Function<V, String> sessionOf) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.clock = clock;
        this.userOf = userOf;
        this.sessionOf = sessionOf;
    }

    /** A cache of values that belong to no session (refusals): bounded and expiring, never revoked. */
    public static <K, V> RevocationAwareCache<K, V> unowned(int maxEntries, Clock clock) {
        return new RevocationAwareCache<>(maxEntries, clock, value -> null, value -> null);
    }

    /** Marks the start of a read from the source: pass the value to {@link #put}. */
    public long begin() {
        return epoch.get();
    }

    /**
     * Keeps {@code value} under {@code key} until {@code freshUntilMillis} (by this cache's clock),
     * unless an event since {@code begun} ended its session.
     *
     * @return whether it was kept
     */
    public boolean put(K key, V value, long freshUntilMillis, long begun) {
        if (maxEntries == 0) {
            return false;
        }
        String userId = userOf.apply(value);
        String sessionId = userId == null ? null : sessionOf.apply(value);
        if (userId != null && endedSince(userId, sessionId, begun)) {
            return false;
        }
        long now = clock.millis();
        if (freshUntilMillis <= now) {
            return false;
        }
        if (entries.size() >= maxEntries) {
            evict(now);
        }
        if (userId == null) {
            entries.put(key, new Entry<>(value, null, null, freshUntilMillis, now, true));
            return true;
        }
        Entry<V> pending = new Entry<>(value, userId, sessionId, freshUntilMillis, now, false);
        entries.put(key, pending);
        // Indexed inside compute(): never into a set that a concurrent remove is dropping.
        keysByUser.compute(userId, (user, keys) -> {
            Set<K> indexed = keys == null ? ConcurrentHashMap.newKeySet() : keys;
            indexed.add(key);
            return indexed;
        });
        // An event applied while this answer was being stored did not find it: check once more.
        if (endedSince(userId, sessionId, begun)) {
            remove(key, pending);
            return false;
        }
        // Fails if an event (or another put) replaced or removed it since the check.
        return entries.replace(key, pending, pending.answerable());
    }

    /** The value kept under {@code key} and still fresh, or null. */
    public V get(K key) {
        return get(key, Long.MAX_VALUE);
    }

    /** The value kept under {@code key}, still fresh and stored less than {@code maxAgeMillis} ago, or null. */
    public V get(K key, long maxAgeMillis) {
        Entry<V> entry = entries.get(key);
        if (entry == null || !entry.answerable) {
            return null;
        }
        long now = clock.millis();
        if (now >= entry.freshUntilMillis) {
            remove(key, entry);
            return null;
        }
        return now - entry.storedAtMillis < maxAgeMillis ? entry.value : null;
    }

    /** Forgets the value under {@code key}. */
    public void invalidate(K key) {
        Entry<V> removed = entries.remove(key);
        if (removed != null) {
            unindex(key, removed.userId);
        }
    }

    /**
     * Applies an event: it ends session {@code sessionId} of {@code userId}, or, with
     * {@code sessionId} empty, every session of that user but {@code exceptSessionId} ("" for none).
     * Once this returns no kept value of an ended session is answered, and no read begun before it
     * keeps one.
     */
    public void revoke(String userId, String sessionId, String exceptSessionId) {
        Event event;
        synchronized (recent) {
            event = new Event(epoch.incrementAndGet(), userId, sessionId, exceptSessionId);
            recent.addLast(event);
            if (recent.size() > RECENT_EVENTS) {
                recent.removeFirst();
            }
        }
        Set<K> keys = keysByUser.get(userId);
        if (keys == null) {
            return;
        }
        for (K key : keys) {
            // Atomic per key: whichever entry is there now (pending or answerable) is what is judged.
            boolean[] ended = new boolean[1];
            entries.computeIfPresent(key, (k, entry) -> {
                ended[0] = event.ends(entry.userId, entry.sessionId);
                return ended[0] ? null : entry;
            });
            if (ended[0]) {
                unindex(key, userId);
            }
        }
    }

    /** Forgets everything; no read begun before this keeps its answer (events may have been missed). */
    public void clear() {
        clearedAtEpoch = epoch.incrementAndGet();
        entries.clear();
        keysByUser.clear();
    }

    public int size() {
        return entries.size();
    }

    private boolean endedSince(String userId, String sessionId, long begun) {
        if (epoch.get() == begun) {
            return false;
        }
        if (clearedAtEpoch > begun) {
            return true;
        }
        synchronized (recent) {
            Event oldest = recent.peekFirst();
            if (oldest == null || oldest.epoch() > begun + 1) {
                return true; // the events since the read began are no longer all known
            }
            for (Iterator<Event> it = recent.descendingIterator(); it.hasNext(); ) {
                Event event = it.next();
                if (event.epoch() <= begun) {
                    break;
                }
                if (event.ends(userId, sessionId)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void remove(K key, Entry<V> entry) {
        if (entries.remove(key, entry)) {
            unindex(key, entry.userId);
        }
    }

    private void unindex(K key, String userId) {
        if (userId == null) {
            return;
        }
        keysByUser.computeIfPresent(userId, (user, keys) -> {
            if (!entries.containsKey(key)) { // a newer value under the same key stays indexed
                keys.remove(key);
            }
            return keys.isEmpty() ? null : keys;
        });
    }

    /** Makes room: expired entries first, then an arbitrary eighth. */
    private void evict(long now) {
        entries.forEach((key, entry) -> {
            if (now >= entry.freshUntilMillis) {
                remove(key, entry);
            }
        });
        int excess = entries.size() - (maxEntries - Math.max(1, maxEntries / 8));
        for (Iterator<Map.Entry<K, Entry<V>>> it = entries.entrySet().iterator(); excess > 0 && it.hasNext(); excess--) {
            Map.Entry<K, Entry<V>> next = it.next();
            remove(next.getKey(), next.getValue());
        }
    }
}
