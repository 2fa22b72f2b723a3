package io.sessionauthority.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.WatchRevocationsRequest;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps one WatchRevocations stream open for the validation cache, resuming from the last cursor
 * after any interruption (an authority replica restarting, a network blip), so no event is missed.
 * The stream is <em>healthy</em> while messages (events or the authority's once-a-second
 * heartbeats) keep arriving; the cache trusts its entries for long only then.
 */
final class RevocationWatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RevocationWatcher.class.getName());
    private static final long MIN_RETRY_MILLIS = 50;
    private static final long MAX_RETRY_MILLIS = 5_000;

    /** What the watcher reports to. Called on gRPC threads, one message at a time. */
    interface Listener {
        void onRevocation(Revocation revocation);

        /** A session changed (its token rotated, it stepped up): forget what was kept for it (the session goes on). */
        void onUpdate(io.sessionauthority.v1.SessionUpdate update);

        /** Events were lost: forget everything. */
        void onReset();
    }

    private final SessionAuthorityServiceGrpc.SessionAuthorityServiceStub stub;
    private final Listener listener;
    private final long staleAfterNanos;
    private final ScheduledExecutorService retries;
    private volatile String cursor = "";
    private volatile long lastMessageNanos;
    private volatile boolean open;
    private volatile boolean closed;
    private volatile boolean unsupported;
    private volatile ClientCallStreamObserver<WatchRevocationsRequest> call;
    private int failures;
    private final AtomicInteger attempts = new AtomicInteger();

    RevocationWatcher(SessionAuthorityServiceGrpc.SessionAuthorityServiceStub stub, Listener listener, Duration staleAfter) {
        this.stub = stub;
        this.listener = listener;
        this.staleAfterNanos = staleAfter.toNanos();
        this.retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "session-authority-revocations");
            thread.setDaemon(true);
            return thread;
        });
        retries.execute(this::subscribe);
    }

    /** Whether every revocation up to a moment ago has been seen (a heartbeat within the stale bound). */
    boolean healthy() {
        return open && System.nanoTime() - lastMessageNanos < staleAfterNanos;
    }

    /** The cursor of the newest message received (empty before the first). */
    String cursor() {
        return cursor;
    }

    private void subscribe() {
        if (closed) {
            return;
        }
        // Without a cursor the stream starts "from now": whatever was cached before cannot be
        // checked against the events it missed, so it is forgotten at the first message.
        boolean fromNow = cursor.isEmpty();
        attempts.incrementAndGet();
        stub.watchRevocations(WatchRevocationsRequest.newBuilder().setCursor(cursor).build(),
                new ClientResponseObserver<WatchRevocationsRequest, WatchRevocationsResponse>() {
                    private boolean first = true;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchRevocationsRequest> requestStream) {
                        call = requestStream;
                    }

                    @Override
                    public void onNext(WatchRevocationsResponse message) {
                        if (first && fromNow) {
                            listener.onReset();
                        }
                        first = false;
                        received(message);
                    }

                    @Override
                    public void onError(Throwable error) {
                        ended(Status.fromThrowable(error));
                    }

                    @Override
                    public void onCompleted() {
                        ended(Status.UNAVAILABLE.withDescription("the stream ended"));
                    }
                });
        if (closed) {
            close(); // closed while subscribing: cancel the call just started
        }
    }

    private void received(WatchRevocationsResponse message) {
        switch (message.getKindCase()) {
            case REVOCATION -> {
                listener.onRevocation(message.getRevocation());
                cursor = message.getRevocation().getCursor();
            }
            case SESSION_UPDATE -> {
                listener.onUpdate(message.getSessionUpdate());
                cursor = message.getSessionUpdate().getCursor();
            }
            case RESET -> {
                listener.onReset();
                cursor = message.getReset().getCursor();
            }
            case HEARTBEAT -> {
                // Only a heartbeat vouches for the stream: the authority sends one only while this
                // subscriber is caught up and its replica reads the log. Replayed events do not.
                cursor = message.getHeartbeat().getCursor().isEmpty() ? cursor : message.getHeartbeat().getCursor();
                lastMessageNanos = System.nanoTime();
                if (!open) {
                    open = true;
                    synchronized (this) {
                        failures = 0;
                    }
                }
            }
            default -> {
                // a kind this SDK does not know: it carries nothing to act on
            }
        }
    }

    private void ended(Status status) {
        open = false;
        if (closed) {
            return;
        }
        if (status.getCode() == Status.Code.UNIMPLEMENTED || status.getCode() == Status.Code.PERMISSION_DENIED) {
            // An older authority, or a caller without the validate permission: the cache keeps its
            // short degraded bound for good.
            if (!unsupported) {
                unsupported = true;
                LOG.log(Level.WARNING, "Session Authority revocation stream unavailable ({0}): cached validations are kept"
                        + " only briefly", status.getCode());
            }
            retries.schedule(this::subscribe, 1, TimeUnit.MINUTES);
            return;
        }
        long ceiling;
        synchronized (this) {
            ceiling = Math.min(MAX_RETRY_MILLIS, MIN_RETRY_MILLIS << Math.min(failures, 10));
            failures++;
        }
        // Every failure backs off, RESOURCE_EXHAUSTED too: a replica refusing a stream over its
        // caller's share, once answered at once, drew ten thousand subscriptions in ten seconds. The
        // first retry after a healthy stream (a reset, a subscriber cut off as too slow) still comes
        // within 50 ms. Half the delay is random, so a fleet of clients cut off together (a replica
        // restarting) does not come back in step.
        long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        retries.schedule(this::subscribe, delay, TimeUnit.MILLISECONDS);
    }

    /** Subscriptions begun since the watcher started (each retry is one). */
    int attempts() {
        return attempts.get();
    }

    @Override
    public void close() {
        closed = true;
        ClientCallStreamObserver<WatchRevocationsRequest> current = call;
        if (current != null) {
            current.cancel("client closed", null);
        }
        retries.shutdownNow();
    }
}
