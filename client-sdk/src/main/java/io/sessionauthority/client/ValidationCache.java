package io.sessionauthority.client;

import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.Session;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Validate answers kept in process, forgotten the moment the authority's revocation stream says
 * their session ended.
 *
 * <p>While the stream is healthy a live answer is reused up to {@code maxAge}, never past its
 * session's idle or absolute expiry. While it is not (disconnected, or silent for longer than its
 * heartbeats allow) only answers younger than {@code degradedMaxAge} are reused, and once it has
 * been unhealthy for {@code dropAfter} none are: the cache degrades to a short bound, then to no
 * cache, never to stale answers. Invalid answers are reused for {@code negativeMaxAge} (a session
 * that ended never comes back), bounded apart so a flood of bad tokens cannot push live ones out.
 *
 * <p>A Validate that was on the wire while an event ended its session must not put the session
 * back: every event bumps an epoch, the recent events are kept with theirs, and an answer is
 * stored only if no event since its call began covers it (checked again after storing, against
 * an event that raced the store). Keys are SHA-256 digests: the cache holds no token.
 */
final class ValidationCache implements RevocationWatcher.Listener {

    private static final int RECENT_EVENTS = 4096;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

    private record Entry(Session session, long freshUntilMillis, long storedAtMillis) {
    }

    private record Negative(ValidationResult result, long freshUntilMillis) {
    }

    private record Event(long epoch, String userId, String sessionId, String exceptSessionId) {
        boolean ends(Session session) {
            if (!userId.equals(session.getUserId())) {
                return false;
            }
            return sessionId.isEmpty() ? !exceptSessionId.equals(session.getSessionId()) : sessionId.equals(session.getSessionId());
        }
    }

    /** A token's digest, hashed once. */
    private static final class Key {
        private final byte[] digest;
        private final int hash;

        Key(byte[] digest) {
            this.digest = digest;
            this.hash = Arrays.hashCode(digest);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Arrays.equals(digest, key.digest);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final int maxEntries;
    private final long maxAgeMillis;
    private final long degradedMaxAgeMillis;
    private final long dropAfterMillis;
    private final long negativeMaxAgeMillis;
    private final Clock clock;
    private final BooleanSupplier streamHealthy;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Negative> negatives = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Key>> keysByUser = new ConcurrentHashMap<>();
    private final AtomicLong epoch = new AtomicLong();
    private final ArrayDeque<Event> recent = new ArrayDeque<>();
    private volatile long resetEpoch;
    /** When the stream was last seen unhealthy first, by the cache's clock; 0 while healthy. */
    private volatile long unhealthySinceMillis;

    /**
     * @param streamHealthy whether the revocation stream is current; always false without one (the
     *                      cache then keeps answers for {@code degradedMaxAge} at most, ever)
     */
    ValidationCache(int maxEntries, Duration maxAge, Duration degradedMaxAge, Duration dropAfter, Duration negativeMaxAge,
                    Clock clock, BooleanSupplier streamHealthy) {
        this.maxEntries = maxEntries;
        this.maxAgeMillis = maxAge.toMillis();
        this.degradedMaxAgeMillis = degradedMaxAge.toMillis();
        this.dropAfterMillis = dropAfter.toMillis();
        this.negativeMaxAgeMillis = negativeMaxAge.toMillis();
        this.clock = clock;
        this.streamHealthy = streamHealthy;
    }

    /** A reusable answer for {@code token}, or null. */
    ValidationResult get(String token) {
        Key key = key(token);
        Entry entry = entries.get(key);
        if (entry == null) {
            Negative negative = negatives.get(key);
            if (negative != null && clock.millis() < negative.freshUntilMillis()) {
                return negative.result();
            }
            return null;
        }
        long now = clock.millis();
        if (now >= entry.freshUntilMillis()) {
            remove(key, entry);
            return null;
        }
        if (streamHealthy.getAsBoolean()) {
            unhealthySinceMillis = 0;
            return ValidationResult.valid(entry.session());
        }
        long since = unhealthySinceMillis;
        if (since == 0) {
            unhealthySinceMillis = since = now;
        }
        if (now - since < dropAfterMillis && now - entry.storedAtMillis() < degradedMaxAgeMillis) {
            return ValidationResult.valid(entry.session());
        }
        return null;
    }

    /** Marks the start of a Validate call: pass the value to {@link #put}. */
    long begin() {
        return epoch.get();
    }

    /** Stores the answer of a Validate that began at {@code begun}, unless an event since then covers it. */
    void put(String token, ValidationResult result, long begun) {
        Key key = key(token);
        if (!result.isValid()) {
            if (result.reason() != ValidationResult.Reason.MALFORMED && negativeMaxAgeMillis > 0) {
                if (negatives.size() >= Math.max(1, maxEntries / 4)) {
                    evict(negatives, Math.max(1, maxEntries / 4));
                }
                negatives.put(key, new Negative(result, clock.millis() + negativeMaxAgeMillis));
            }
            return;
        }
        Session session = result.session().orElseThrow();
        if (endedSince(session, begun)) {
            return;
        }
        if (entries.size() >= maxEntries) {
            evict(entries, maxEntries);
        }
        long freshUntil = Math.min(clock.millis() + maxAgeMillis, millis(session.getIdleExpireTime()));
        freshUntil = Math.min(freshUntil, millis(session.getExpireTime()));
        Entry entry = new Entry(session, freshUntil, clock.millis());
        entries.put(key, entry);
        // Indexed inside compute(): never into a set that a concurrent remove is dropping.
        keysByUser.compute(session.getUserId(), (user, keys) -> {
            Set<Key> indexed = keys == null ? ConcurrentHashMap.newKeySet() : keys;
            indexed.add(key);
            return indexed;
        });
        // An event applied while this answer was being stored did not see it: check once more.
        if (endedSince(session, begun)) {
            remove(key, entry);
        }
    }

    /** Forgets the answer for {@code token} (this client revoked it, or the authority said it is not valid). */
    void invalidate(String token) {
        Key key = key(token);
        Entry entry = entries.get(key);
        if (entry != null) {
            remove(key, entry);
        }
    }

    @Override
    public void onRevocation(Revocation revocation) {
        Event event;
        synchronized (recent) {
            event = new Event(epoch.incrementAndGet(), revocation.getUserId(), revocation.getSessionId(), revocation.getExceptSessionId());
            recent.addLast(event);
            if (recent.size() > RECENT_EVENTS) {
                recent.removeFirst();
            }
        }
        Set<Key> keys = keysByUser.get(event.userId());
        if (keys == null) {
            return;
        }
        for (Key key : keys) {
            Entry entry = entries.get(key);
            if (entry != null && event.ends(entry.session())) {
                remove(key, entry);
            }
        }
    }

    @Override
    public void onReset() {
        resetEpoch = epoch.incrementAndGet();
        entries.clear();
        keysByUser.clear();
    }

    int size() {
        return entries.size();
    }

    private boolean endedSince(Session session, long begun) {
        if (epoch.get() == begun) {
            return false;
        }
        if (resetEpoch > begun) {
            return true;
        }
        synchronized (recent) {
            Event oldest = recent.peekFirst();
            if (oldest == null || oldest.epoch() > begun + 1) {
                return true; // events since the call began are no longer all known: do not trust it
            }
            for (Iterator<Event> it = recent.descendingIterator(); it.hasNext(); ) {
                Event event = it.next();
                if (event.epoch() <= begun) {
                    break;
                }
                if (event.ends(session)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void remove(Key key, Entry entry) {
        if (entries.remove(key, entry)) {
            keysByUser.computeIfPresent(entry.session().getUserId(), (user, keys) -> {
                if (!entries.containsKey(key)) { // a newer answer for the same token stays indexed
                    keys.remove(key);
                }
                return keys.isEmpty() ? null : keys;
            });
        }
    }

    /** Makes room below {@code cap}: expired entries first, then an arbitrary eighth (no LRU bookkeeping on reads). */
    private <V> void evict(ConcurrentHashMap<Key, V> map, int cap) {
        long now = clock.millis();
        for (Map.Entry<Key, V> next : map.entrySet()) {
            if (now >= freshUntil(next.getValue())) {
                if (next.getValue() instanceof Entry entry) {
                    remove(next.getKey(), entry);
                } else {
                    map.remove(next.getKey(), next.getValue());
                }
            }
        }
        int excess = map.size() - (cap - Math.max(1, cap / 8));
        for (Iterator<Map.Entry<Key, V>> it = map.entrySet().iterator(); excess > 0 && it.hasNext(); excess--) {
            Map.Entry<Key, V> next = it.next();
            if (next.getValue() instanceof Entry entry) {
                remove(next.getKey(), entry);
            } else {
                it.remove();
            }
        }
    }

    private static long freshUntil(Object value) {
        return value instanceof Entry entry ? entry.freshUntilMillis() : ((Negative) value).freshUntilMillis();
    }

    private static long millis(com.google.protobuf.Timestamp time) {
        return time.getSeconds() == 0 && time.getNanos() == 0 ? Long.MAX_VALUE : time.getSeconds() * 1000 + time.getNanos() / 1_000_000;
    }

    private static Key key(String token) {
        MessageDigest sha256 = SHA256.get();
        return new Key(sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
