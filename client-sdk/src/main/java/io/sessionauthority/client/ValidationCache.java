package io.sessionauthority.client;

import io.sessionauthority.cache.RevocationAwareCache;
import io.sessionauthority.v1.Revocation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
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
 * <p>A Validate that was on the wire while an event ended its session does not put the session
 * back: that rule, the bounds and the per-user index are {@link RevocationAwareCache}'s, shared
 * with the service's hot sessions. Keys are SHA-256 digests: the cache holds no token.
 */
final class ValidationCache implements RevocationWatcher.Listener {

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

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

    private final long maxAgeMillis;
    private final long degradedMaxAgeMillis;
    private final long dropAfterMillis;
    private final long negativeMaxAgeMillis;
    private final Clock clock;
    private final BooleanSupplier streamHealthy;
    private final RevocationAwareCache<Key, ValidationResult> live;
    private final RevocationAwareCache<Key, ValidationResult> refused;
    /** When the stream was last seen unhealthy first, by the cache's clock; 0 while healthy. */
    private volatile long unhealthySinceMillis;

    /**
     * @param streamHealthy whether the revocation stream is current; always false without one (the
     *                      cache then keeps answers for {@code degradedMaxAge} at most, ever)
     */
    ValidationCache(int maxEntries, Duration maxAge, Duration degradedMaxAge, Duration dropAfter, Duration negativeMaxAge,
                    Clock clock, BooleanSupplier streamHealthy) {
        this.maxAgeMillis = maxAge.toMillis();
        this.degradedMaxAgeMillis = degradedMaxAge.toMillis();
        this.dropAfterMillis = dropAfter.toMillis();
        this.negativeMaxAgeMillis = negativeMaxAge.toMillis();
        this.clock = clock;
        this.streamHealthy = streamHealthy;
        this.live = new RevocationAwareCache<>(maxEntries, clock, result -> result.session().orElseThrow().userId(),
                result -> result.session().orElseThrow().sessionId());
        // Refusals have a bound of their own, so a flood of bad tokens cannot push live answers out.
        this.refused = RevocationAwareCache.unowned(negativeMaxAgeMillis > 0 ? Math.max(1, maxEntries / 4) : 0, clock);
    }

    /** A reusable answer for {@code token}, or null. */
    ValidationResult get(String token) {
        Key key = key(token);
        if (streamHealthy.getAsBoolean()) {
            unhealthySinceMillis = 0;
            ValidationResult kept = live.get(key);
            return kept != null ? kept : refused.get(key);
        }
        long now = clock.millis();
        long since = unhealthySinceMillis;
        if (since == 0) {
            unhealthySinceMillis = since = now;
        }
        ValidationResult kept = now - since < dropAfterMillis ? live.get(key, degradedMaxAgeMillis) : null;
        return kept != null ? kept : refused.get(key);
    }

    /** Marks the start of a Validate call: pass the value to {@link #put}. */
    long begin() {
        return live.begin();
    }

    /** Stores the answer of a Validate that began at {@code begun}, unless an event since then covers it. */
    void put(String token, ValidationResult result, long begun) {
        Key key = key(token);
        if (!result.isValid()) {
            // A login awaiting its second factor is about to become a session: no event would make the
            // refusal cache forget it, so it is never kept.
            if (result.reason() != ValidationResult.Reason.MALFORMED && result.reason() != ValidationResult.Reason.STEP_UP_REQUIRED) {
                refused.put(key, result, clock.millis() + negativeMaxAgeMillis, refused.begin());
            }
            return;
        }
        SessionInfo session = result.session().orElseThrow();
        long freshUntil = Math.min(clock.millis() + maxAgeMillis,
                Math.min(millis(session.proto().getIdleExpireTime()), millis(session.proto().getExpireTime())));
        // A token replaced by a rotation is good only until its grace ends; never kept past it.
        freshUntil = Math.min(freshUntil, result.tokenGraceEnd().map(java.time.Instant::toEpochMilli).orElse(Long.MAX_VALUE));
        live.put(key, result, freshUntil, begun);
    }

    /** Forgets the answer for {@code token} (this client revoked it, or the authority said it is not valid). */
    void invalidate(String token) {
        live.invalidate(key(token));
    }

    @Override
    public void onRevocation(Revocation revocation) {
        live.revoke(revocation.getUserId(), revocation.getSessionId(), revocation.getExceptSessionId());
    }

    /** The session changed (its token rotated, it stepped up): what was kept for it must be asked again. */
    @Override
    public void onUpdate(io.sessionauthority.v1.SessionUpdate update) {
        live.revoke(update.getUserId(), update.getSessionId(), "");
    }

    @Override
    public void onReset() {
        live.clear();
    }

    int size() {
        return live.size();
    }

    private static long millis(com.google.protobuf.Timestamp time) {
        return time.getSeconds() == 0 && time.getNanos() == 0 ? Long.MAX_VALUE : time.getSeconds() * 1000 + time.getNanos() / 1_000_000;
    }

    private static Key key(String token) {
        MessageDigest sha256 = SHA256.get();
        return new Key(sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
