package io.sessionauthority.service.grpc;

import com.google.rpc.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.sessionauthority.service.revocation.RevocationHub;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Starts WatchRevocations streams: every subscriber of this replica reads the one hub. Once the
 * replica begins to shut down ({@link #drain}), every stream ends at once and new ones are refused,
 * with UNAVAILABLE and the reason {@value #SHUTTING_DOWN}: a stream lives as long as its client,
 * so left open it held every graceful shutdown for the whole grace period (20 s) while its
 * client's cache could not trust its entries. The client resumes from its cursor on another
 * replica, missing nothing.
 */
public final class RevocationStreams implements AutoCloseable {

    static final String SHUTTING_DOWN = "SHUTTING_DOWN";

    private final RevocationHub hub;
    private final ScheduledExecutorService scheduler;
    private final Duration heartbeat;
    private final Duration slowSubscriber;
    private final Set<RevocationStream> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    public RevocationStreams(RevocationHub hub, ScheduledExecutorService scheduler, Duration heartbeat, Duration slowSubscriber) {
        this.hub = hub;
        this.scheduler = scheduler;
        this.heartbeat = heartbeat;
        this.slowSubscriber = slowSubscriber;
    }

    void start(ServerCallStreamObserver<WatchRevocationsResponse> observer, String cursor) {
        if (draining) {
            observer.onError(shuttingDown());
            return;
        }
        RevocationStream stream = RevocationStream.start(hub, observer, scheduler, heartbeat, slowSubscriber, cursor, open::remove);
        if (stream != null) {
            open.add(stream);
            if (stream.isEnded()) { // ended before it was added: its onEnd found nothing to remove
                open.remove(stream);
            } else if (draining) { // drained while this one started: it must not hold the shutdown either
                stream.endWith(shuttingDown());
            }
        }
    }

    /** Ends every stream and refuses new ones: the first step of a graceful shutdown. */
    public void drain() {
        draining = true;
        for (RevocationStream stream : open) {
            stream.endWith(shuttingDown());
        }
    }

    /** Streams open now. */
    public int open() {
        return open.size();
    }

    private static StatusRuntimeException shuttingDown() {
        return ErrorMapping.status(Code.UNAVAILABLE, SHUTTING_DOWN,
                "this replica is shutting down; resubscribe with the last cursor (another replica will answer)");
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
