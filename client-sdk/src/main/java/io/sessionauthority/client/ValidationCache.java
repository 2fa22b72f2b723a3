package io.sessionauthority.client;

import io.sessionauthority.v1.Session;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small near-cache of positive Validate answers: bounded in entries (least recently used out)
 * and in age. Keys are SHA-256 digests, so the cache holds no token. An entry never outlives its
 * session's idle expiry, but a revoke is seen only once the entry ages out: that is the staleness
 * a caller accepts by turning the cache on.
 */
final class ValidationCache {

    private record Entry(Session session, Instant freshUntil) {
    }

    private final int maxEntries;
    private final Duration maxAge;
    private final Clock clock;
    private final Map<String, Entry> entries;

    ValidationCache(int maxEntries, Duration maxAge, Clock clock) {
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > ValidationCache.this.maxEntries;
            }
        };
    }

    synchronized Session get(String token) {
        String key = key(token);
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (!clock.instant().isBefore(entry.freshUntil())) {
            entries.remove(key);
            return null;
        }
        return entry.session();
    }

    synchronized void put(String token, Session session) {
        Instant now = clock.instant();
        Instant agedOut = now.plus(maxAge);
        Instant idleExpiry = Instant.ofEpochSecond(session.getIdleExpireTime().getSeconds(), session.getIdleExpireTime().getNanos());
        entries.put(key(token), new Entry(session, agedOut.isBefore(idleExpiry) ? agedOut : idleExpiry));
    }

    synchronized void invalidate(String token) {
        entries.remove(key(token));
    }

    synchronized int size() {
        return entries.size();
    }

    private static String key(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
