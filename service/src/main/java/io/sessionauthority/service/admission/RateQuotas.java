package io.sessionauthority.service.admission;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller: {@code ratePerSecond} calls a second on average, bursts up to
 * {@code burst}. What one caller spends comes out of its own bucket only, so a caller flooding the
 * calls that write to the shared logs (the revocation stream every cache follows, the audit trail)
 * is slowed to its share while the others keep theirs.
 *
 * <p>Callers are named by the caller of this class: a configured identity, or an address for
 * unauthenticated ones. Buckets of callers that have been quiet long enough to be full again are
 * dropped once more than {@code maxTracked} are held, so addresses cannot grow the map without bound.
 */
public final class RateQuotas {

    private final double ratePerNano;
    private final double burst;
    private final int maxTracked;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateQuotas(double ratePerSecond, int burst, int maxTracked) {
        this(ratePerSecond, burst, maxTracked, System::nanoTime);
    }

    RateQuotas(double ratePerSecond, int burst, int maxTracked, LongSupplier nanoTime) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("a rate quota needs a positive rate and a burst of at least 1");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.maxTracked = maxTracked;
        this.nanoTime = nanoTime;
    }

    /** Takes one call from {@code caller}'s bucket: zero when it may go ahead, else how long until it may. */
    public Duration take(String caller) {
        long now = nanoTime.getAsLong();
        if (buckets.size() > maxTracked) {
            dropFull(now);
        }
        return buckets.computeIfAbsent(caller, key -> new Bucket(burst, now)).take(now, ratePerNano, burst);
    }

    private void dropFull(long now) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (it.next().fullAt(now, ratePerNano, burst)) {
                it.remove();
            }
        }
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        synchronized Duration take(long now, double ratePerNano, double burst) {
            refill(now, ratePerNano, burst);
            if (tokens >= 1) {
                tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil((1 - tokens) / ratePerNano));
        }

        synchronized boolean fullAt(long now, double ratePerNano, double burst) {
            refill(now, ratePerNano, burst);
            return tokens >= burst;
        }

        private void refill(long now, double ratePerNano, double burst) {
            tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
            refilledAt = now;
        }
    }
}
