package io.sessionauthority.client;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The client's connection to the authority, watched.
 *
 * <ul>
 *   <li><b>First contact has its own time.</b> Until the channel has been READY once, a call first
 *       waits (up to the connect timeout) for name resolution, the TCP and TLS handshakes and class
 *       loading, and only then starts its own deadline: a 250 ms deadline must not pay for a
 *       cold start.</li>
 *   <li><b>Reconnects are prompt.</b> grpc-java backs off up to two minutes between reconnect
 *       attempts (about 3 s after a short outage); a session check cannot wait that long once the
 *       authority is back. While the channel is in TRANSIENT_FAILURE the backoff is reset on a short
 *       schedule of its own (100 ms doubling to 1 s), so calls work again within about a second of
 *       the authority's return.</li>
 * </ul>
 */
final class Connection implements AutoCloseable {

    private static final long FIRST_RETRY_MILLIS = 100;
    private static final long MAX_RETRY_MILLIS = 1_000;

    private final ManagedChannel channel;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "session-authority-reconnect");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean everReady;
    private boolean retrying;

    Connection(ManagedChannel channel) {
        this.channel = channel;
    }

    /** Starts connecting now, and keeps watching the connection. */
    void start() {
        watch(channel.getState(true));
    }

    /** Whether the channel has been READY at least once. */
    boolean everReady() {
        return everReady;
    }

    ConnectivityState state() {
        return channel.getState(false);
    }

    /**
     * Completes when the channel is READY, when it failed to connect (TRANSIENT_FAILURE: a call then
     * fails fast with the real reason), or after {@code budget}, whichever comes first.
     */
    CompletableFuture<Void> settled(Duration budget) {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        awaitSettled(channel.getState(true), settled);
        scheduler.schedule(() -> settled.complete(null), budget.toMillis(), TimeUnit.MILLISECONDS);
        return settled;
    }

    private void awaitSettled(ConnectivityState state, CompletableFuture<Void> settled) {
        if (state == ConnectivityState.READY || state == ConnectivityState.TRANSIENT_FAILURE || state == ConnectivityState.SHUTDOWN) {
            settled.complete(null);
            return;
        }
        channel.notifyWhenStateChanged(state, () -> awaitSettled(channel.getState(true), settled));
    }

    private void watch(ConnectivityState state) {
        if (state == ConnectivityState.SHUTDOWN) {
            return;
        }
        if (state == ConnectivityState.READY) {
            everReady = true;
        } else if (state == ConnectivityState.TRANSIENT_FAILURE) {
            retrySoon(FIRST_RETRY_MILLIS);
        }
        channel.notifyWhenStateChanged(state, () -> watch(channel.getState(false)));
    }

    /**
     * Resets the backoff after {@code delayMillis}, and again (doubling, up to a second) for as long
     * as the channel stays in TRANSIENT_FAILURE: a balanced channel reports no state change between
     * failed attempts, so the schedule cannot wait for one.
     */
    private void retrySoon(long delayMillis) {
        synchronized (this) {
            if (retrying) {
                return;
            }
            retrying = true;
        }
        schedule(delayMillis);
    }

    private void schedule(long delayMillis) {
        try {
            scheduler.schedule(() -> {
                if (channel.getState(false) != ConnectivityState.TRANSIENT_FAILURE) {
                    synchronized (this) {
                        retrying = false;
                    }
                    return;
                }
                channel.resetConnectBackoff();
                schedule(Math.min(delayMillis * 2, MAX_RETRY_MILLIS));
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the client is closed
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
