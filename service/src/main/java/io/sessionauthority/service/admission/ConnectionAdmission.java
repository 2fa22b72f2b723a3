package io.sessionauthority.service.admission;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Which connections a port keeps when it is full. A connection is <em>waiting</em> from the moment
 * it is accepted until it proves it is a client (the management port: a request's headers; the
 * gRPC port: its TLS and HTTP/2 handshake), and again on the management port between requests.
 *
 * <ul>
 *   <li>One address holds at most {@code maxPerAddress} connections, so one host (a pod, a NAT's
 *       one address) cannot fill the port for everyone.</li>
 *   <li>One address opens at most {@code newPerSecondPerAddress} connections a second (bursts of
 *       {@code newBurstPerAddress}): beyond, new ones are refused as they are accepted, before the
 *       port spends anything on them. A client connects once and keeps its connection; a flood
 *       that opens thousands a second, to cycle through the port's slots or to reset streams on
 *       each, is held to that rate.</li>
 *   <li>An address found abusing its connections ({@link #penalize}: resetting streams as fast as
 *       it opens them) loses those it has and gets no new one for a while.</li>
 *   <li>When a new connection would pass a limit, the longest-waiting connection under that limit
 *       is closed to make room: a flood of connections that send nothing, or trickle their
 *       headers, keeps cycling among its own sockets while a client that speaks at once (a
 *       kubelet probe, an SDK) gets in. Only when nothing under the limit is waiting is the new
 *       connection refused.</li>
 * </ul>
 *
 * Thread-safe; each step is a few map operations under one lock, taken once per connection
 * accepted, proven, or closed.
 */
public final class ConnectionAdmission {

    /** What the port does with a new connection. */
    public enum Decision {
        ADMITTED,
        /** Admitted, after an older waiting connection was closed to make room. */
        ADMITTED_AFTER_EVICTION,
        REFUSED
    }

    /**
     * @param maxConnections         connections at once on the port
     * @param maxPerAddress          connections at once from one remote address
     * @param newPerSecondPerAddress new connections a second from one address, on average
     * @param newBurstPerAddress     new connections from one address at once
     */
    public record Limits(int maxConnections, int maxPerAddress, int newPerSecondPerAddress, int newBurstPerAddress) {
        public Limits {
            if (maxConnections < 1 || maxPerAddress < 1 || newPerSecondPerAddress < 1 || newBurstPerAddress < 1) {
                throw new IllegalArgumentException("connection limits must be at least 1, were " + maxConnections + ", "
                        + maxPerAddress + " per address, " + newPerSecondPerAddress + "/s and bursts of " + newBurstPerAddress);
            }
        }
    }

    private final Limits limits;
    private final RateQuotas newConnections;
    private final LongSupplier nanoTime;
    private final Map<Channel, InetAddress> admitted = new HashMap<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final LinkedHashSet<Channel> waiting = new LinkedHashSet<>();
    private final Map<InetAddress, LinkedHashSet<Channel>> waitingByAddress = new HashMap<>();
    private final Map<InetAddress, Long> penalizedUntil = new HashMap<>();
    private long refused;
    private long evicted;

    public ConnectionAdmission(Limits limits) {
        this(limits, System::nanoTime);
    }

    ConnectionAdmission(Limits limits, LongSupplier nanoTime) {
        this.limits = limits;
        this.nanoTime = nanoTime;
        this.newConnections = new RateQuotas(limits.newPerSecondPerAddress(), limits.newBurstPerAddress(), 100_000, nanoTime);
    }

    /** Closes {@code connection} at once (it abused the port); a connection already forgotten is only closed. */
    public void close(Channel connection) {
        synchronized (this) {
            if (admitted.containsKey(connection)) {
                forget(connection);
            }
        }
        closeAtOnce(connection);
    }

    /**
     * Closes every connection from {@code address} and refuses new ones for {@code duration}; answers
     * whether it was not penalized already.
     */
    public boolean penalize(InetAddress address, Duration duration) {
        List<Channel> open = new ArrayList<>();
        boolean fresh;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            Long before = penalizedUntil.put(address, now + duration.toNanos());
            fresh = before == null || before - now <= 0;
            if (penalizedUntil.size() > 100_000) {
                penalizedUntil.values().removeIf(end -> end - now <= 0);
            }
            admitted.forEach((connection, from) -> {
                if (from.equals(address)) {
                    open.add(connection);
                }
            });
            open.forEach(this::forget);
        }
        open.forEach(ConnectionAdmission::closeAtOnce);
        return fresh;
    }

    /**
     * Admits {@code connection} from {@code address} as waiting, or refuses it. May close an older
     * waiting connection to make room; the caller closes a refused one.
     */
    public Decision admit(Channel connection, InetAddress address) {
        boolean tooFast = !newConnections.take(address.getHostAddress()).isZero();
        Channel victim;
        synchronized (this) {
            Long penalty = penalizedUntil.get(address);
            if (penalty != null && penalty - nanoTime.getAsLong() > 0 || tooFast) {
                refused++;
                return Decision.REFUSED;
            }
            victim = null;
            if (perAddress.getOrDefault(address, 0) >= limits.maxPerAddress()) {
                victim = oldestWaiting(waitingByAddress.get(address));
            } else if (admitted.size() >= limits.maxConnections()) {
                victim = oldestWaiting(waiting);
            }
            boolean full = perAddress.getOrDefault(address, 0) >= limits.maxPerAddress()
                    || admitted.size() >= limits.maxConnections();
            if (full && victim == null) {
                refused++;
                return Decision.REFUSED;
            }
            if (victim != null) {
                forget(victim);
                evicted++;
            }
            admitted.put(connection, address);
            perAddress.merge(address, 1, Integer::sum);
            markWaiting(connection, address);
        }
        if (victim != null) {
            closeAtOnce(victim);
            return Decision.ADMITTED_AFTER_EVICTION;
        }
        return Decision.ADMITTED;
    }

    /**
     * Closes a connection that never proved itself, bypassing its pipeline: gRPC's HTTP/2 handler
     * answers a plain close with a graceful GOAWAY and waits seconds for a client that never spoke,
     * so evicted sockets piled up (a heap of 64 MiB ran out under a flood of them).
     */
    private static void closeAtOnce(Channel connection) {
        io.netty.channel.EventLoop loop;
        try {
            loop = connection.eventLoop(); // assigned as registration begins, before it completes on the loop
        } catch (IllegalStateException notYetRegistering) {
            // No loop yet: closing it here completes its close future, and its registration will fail.
            connection.unsafe().close(connection.unsafe().voidPromise());
            return;
        }
        if (loop.inEventLoop()) {
            connection.unsafe().close(connection.unsafe().voidPromise());
        } else {
            loop.execute(() -> connection.unsafe().close(connection.unsafe().voidPromise()));
        }
    }

    /** {@code connection} waits for its client again (the management port, after each answer). */
    public synchronized void waiting(Channel connection) {
        InetAddress address = admitted.get(connection);
        if (address != null) {
            unmarkWaiting(connection, address);
            markWaiting(connection, address);
        }
    }

    /** {@code connection} has proven itself a client: it is never closed to make room. */
    public synchronized void active(Channel connection) {
        InetAddress address = admitted.get(connection);
        if (address != null) {
            unmarkWaiting(connection, address);
        }
    }

    /** {@code connection} closed; a connection evicted or never admitted is ignored. */
    public synchronized void release(Channel connection) {
        if (admitted.containsKey(connection)) {
            forget(connection);
        }
    }

    /** Connections admitted and not yet closed. */
    public synchronized int open() {
        return admitted.size();
    }

    /** Connections refused since start. */
    public synchronized long refused() {
        return refused;
    }

    /** Waiting connections closed to make room since start. */
    public synchronized long evicted() {
        return evicted;
    }

    private void forget(Channel connection) {
        InetAddress address = admitted.remove(connection);
        unmarkWaiting(connection, address);
        perAddress.computeIfPresent(address, (key, count) -> count == 1 ? null : count - 1);
    }

    private void markWaiting(Channel connection, InetAddress address) {
        waiting.add(connection);
        waitingByAddress.computeIfAbsent(address, key -> new LinkedHashSet<>()).add(connection);
    }

    private void unmarkWaiting(Channel connection, InetAddress address) {
        if (waiting.remove(connection)) {
            LinkedHashSet<Channel> same = waitingByAddress.get(address);
            same.remove(connection);
            if (same.isEmpty()) {
                waitingByAddress.remove(address);
            }
        }
    }

    private static Channel oldestWaiting(LinkedHashSet<Channel> connections) {
        if (connections == null) {
            return null;
        }
        Iterator<Channel> oldest = connections.iterator();
        return oldest.hasNext() ? oldest.next() : null;
    }
}
