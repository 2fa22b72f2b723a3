package io.sessionauthority.service.admission;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calls of one client connection, counted as they start and end: what tells a connection that
 * carries calls from one that only holds a slot. Updated by every call on the connection's event
 * loop; read by a periodic sweep ({@link #idleFor}).
 */
public final class ConnectionActivity {

    private final Channel channel;
    private final InetAddress address;
    private final String key;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean abusive = new java.util.concurrent.atomic.AtomicBoolean();
    /** Touched by the sweep only. */
    private long startedAtLastSweep = -1;
    private long lastActiveNanos;
    private boolean idle;

    public ConnectionActivity(Channel channel, InetAddress address, String key, long nowNanos) {
        this.channel = channel;
        this.address = address;
        this.key = key;
        this.lastActiveNanos = nowNanos;
    }

    public Channel channel() {
        return channel;
    }

    public InetAddress address() {
        return address;
    }

    /** The connection's client address and port, unique among open connections. */
    public String key() {
        return key;
    }

    public void callStarted() {
        started.incrementAndGet();
        inFlight.incrementAndGet();
    }

    public void callEnded() {
        inFlight.decrementAndGet();
    }

    /** Marks the connection abusive; answers whether this is the first time. */
    public boolean firstAbuse() {
        return abusive.compareAndSet(false, true);
    }

    /**
     * For the sweep: how long the connection has carried no call at all (none in flight, none
     * started since the previous sweep), zero while it carries one.
     */
    public long idleFor(long nowNanos) {
        long count = started.get();
        if (inFlight.get() > 0 || count != startedAtLastSweep) {
            startedAtLastSweep = count;
            lastActiveNanos = nowNanos;
            return 0;
        }
        return nowNanos - lastActiveNanos;
    }

    /** For the sweep: whether it was last marked idle, and marks it. Answers whether that changed. */
    public boolean markIdle(boolean nowIdle) {
        boolean changed = idle != nowIdle;
        idle = nowIdle;
        return changed;
    }
}
