package io.sessionauthority.service.admission;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * Open streams (health Watch, WatchRevocations) at three levels, each per method: the whole service,
 * one caller, and one caller from one address. A stream holds memory and a slot for as long as its
 * caller keeps it, so without per-caller shares one caller holding a thousand streams left none for
 * the next. The caller is a configured identity, or {@link #ANONYMOUS} for every unauthenticated
 * one (health is open to all): unauthenticated callers together get one caller's share, and each
 * address its own smaller one within it.
 *
 * <p>The per-address share within a caller is what lets a fleet share one identity: its pods, each
 * holding a stream or two from its own address, fill the caller's share together (raise the
 * caller's own share for a fleet larger than it), while one host of that service that opens streams
 * without end is held to its address' share.
 *
 * Thread-safe: streams open and end rarely (never per unary call), so one lock does.
 */
public final class StreamQuotas {

    /** The caller of every unauthenticated stream. */
    public static final String ANONYMOUS = "";

    /** Why a stream was refused. */
    public enum Refusal {
        /** The method's streams are all taken, by every caller together. */
        SERVICE_FULL,
        /** This caller holds its share of the method's streams. */
        CALLER_SHARE_USED,
        /** This caller holds its share from this address. */
        ADDRESS_SHARE_USED
    }

    /** A stream's place; {@link #release()} gives it back (once, however often it is called). */
    public final class Lease {
        private final String method;
        private final String caller;
        private final InetAddress address;
        private boolean released;

        private Lease(String method, String caller, InetAddress address) {
            this.method = method;
            this.caller = caller;
            this.address = address;
        }

        public void release() {
            synchronized (StreamQuotas.this) {
                if (released) {
                    return;
                }
                released = true;
                decrement(perMethod, method);
                decrement(perCaller, method + '\n' + caller);
                decrement(perAddress, method + '\n' + caller + '\n' + address.getHostAddress());
            }
        }
    }

    /** Either a lease or the reason there is none. */
    public record Outcome(Lease lease, Refusal refusal) {
        public Optional<Lease> granted() {
            return Optional.ofNullable(lease);
        }
    }

    private final int maxPerMethod;
    private final ToIntFunction<String> maxPerCaller;
    private final int maxPerAddress;
    private final Map<String, Integer> perMethod = new HashMap<>();
    private final Map<String, Integer> perCaller = new HashMap<>();
    private final Map<String, Integer> perAddress = new HashMap<>();

    /**
     * @param maxPerMethod  streams of one method at once, every caller together
     * @param maxPerCaller  one caller's share of a method's streams, by caller name
     * @param maxPerAddress one caller's share from one address
     */
    public StreamQuotas(int maxPerMethod, ToIntFunction<String> maxPerCaller, int maxPerAddress) {
        this.maxPerMethod = maxPerMethod;
        this.maxPerCaller = maxPerCaller;
        this.maxPerAddress = maxPerAddress;
    }

    /** A place for a new stream of {@code method} by {@code caller} from {@code address}, or why not. */
    public synchronized Outcome open(String method, String caller, InetAddress address) {
        String callerKey = method + '\n' + caller;
        String addressKey = callerKey + '\n' + address.getHostAddress();
        if (perAddress.getOrDefault(addressKey, 0) >= maxPerAddress) {
            return new Outcome(null, Refusal.ADDRESS_SHARE_USED);
        }
        if (perCaller.getOrDefault(callerKey, 0) >= maxPerCaller.applyAsInt(caller)) {
            return new Outcome(null, Refusal.CALLER_SHARE_USED);
        }
        if (perMethod.getOrDefault(method, 0) >= maxPerMethod) {
            return new Outcome(null, Refusal.SERVICE_FULL);
        }
        perMethod.merge(method, 1, Integer::sum);
        perCaller.merge(callerKey, 1, Integer::sum);
        perAddress.merge(addressKey, 1, Integer::sum);
        return new Outcome(new Lease(method, caller, address), null);
    }

    /** Streams of {@code method} open now. */
    public synchronized int open(String method) {
        return perMethod.getOrDefault(method, 0);
    }

    private static void decrement(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (ignored, count) -> count == 1 ? null : count - 1);
    }
}
