package io.sessionauthority.service.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.sessionauthority.service.revocation.RevocationHub;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/** Starts WatchRevocations streams: every subscriber of this replica reads the one hub. */
public final class RevocationStreams implements AutoCloseable {

    private final RevocationHub hub;
    private final ScheduledExecutorService scheduler;
    private final Duration heartbeat;
    private final Duration slowSubscriber;

    public RevocationStreams(RevocationHub hub, ScheduledExecutorService scheduler, Duration heartbeat, Duration slowSubscriber) {
        this.hub = hub;
        this.scheduler = scheduler;
        this.heartbeat = heartbeat;
        this.slowSubscriber = slowSubscriber;
    }

    void start(ServerCallStreamObserver<WatchRevocationsResponse> observer, String cursor) {
        RevocationStream.start(hub, observer, scheduler, heartbeat, slowSubscriber, cursor);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
