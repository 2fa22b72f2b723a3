package io.sessionauthority.service.grpc;

import com.google.protobuf.Timestamp;
import com.google.rpc.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.sessionauthority.service.revocation.Cursors;
import io.sessionauthority.service.revocation.Revocation;
import io.sessionauthority.service.revocation.RevocationHub;
import io.sessionauthority.v1.Heartbeat;
import io.sessionauthority.v1.Reset;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One WatchRevocations subscriber. Pulls events from the hub after its cursor only while the
 * subscriber's flow-control window has room, so the server holds at most one batch per subscriber
 * however slow it is; one that stays full while events wait for longer than {@code slowAfter} is
 * ended (RESOURCE_EXHAUSTED, SUBSCRIBER_TOO_SLOW) and resumes from its cursor. Every step runs on
 * the shared scheduler, one step of a subscriber at a time.
 */
final class RevocationStream {

    private static final int BATCH = 256;

    private final RevocationHub hub;
    private final ServerCallStreamObserver<WatchRevocationsResponse> observer;
    private final ScheduledExecutorService scheduler;
    private final Duration heartbeat;
    private final Duration slowAfter;
    private final long epoch;
    private Runnable unsubscribe;
    private java.util.function.Consumer<RevocationStream> onEnd;
    private ScheduledFuture<?> ticker;
    /** Guarded by this. */
    private String cursor;
    private boolean pulling;
    private boolean wakeAgain;
    private boolean ended;
    /** When the last heartbeat went out; 0 before the first, which goes out as soon as the subscriber is caught up. */
    private long lastHeartbeatNanos;
    private long blockedSinceNanos;

    private RevocationStream(RevocationHub hub, ServerCallStreamObserver<WatchRevocationsResponse> observer,
                             ScheduledExecutorService scheduler, Duration heartbeat, Duration slowAfter, String cursor) {
        this.hub = hub;
        this.observer = observer;
        this.scheduler = scheduler;
        this.heartbeat = heartbeat;
        this.slowAfter = slowAfter;
        this.cursor = cursor;
        this.epoch = hub.epoch();
    }

    /**
     * Starts streaming to {@code observer} after {@code cursor} (empty: from the hub's current
     * position); null when it was refused at once. {@code onEnd} runs once the stream has ended.
     */
    static RevocationStream start(RevocationHub hub, ServerCallStreamObserver<WatchRevocationsResponse> observer,
                                  ScheduledExecutorService scheduler, Duration heartbeat, Duration slowAfter, String cursor,
                                  java.util.function.Consumer<RevocationStream> onEnd) {
        String from = cursor.isEmpty() ? hub.position() : cursor;
        if (from == null || !hub.live()) {
            observer.onError(ErrorMapping.status(Code.UNAVAILABLE, "STORE_UNAVAILABLE",
                    "the revocation log cannot be read now; retry shortly"));
            return null;
        }
        RevocationStream stream = new RevocationStream(hub, observer, scheduler, heartbeat, slowAfter, from);
        stream.onEnd = onEnd;
        observer.setOnCancelHandler(stream::end);
        observer.setOnReadyHandler(stream::wake);
        stream.unsubscribe = hub.subscribe(stream::wake);
        long tick = Math.max(50, heartbeat.toMillis() / 4);
        stream.ticker = scheduler.scheduleWithFixedDelay(stream::tick, tick, tick, TimeUnit.MILLISECONDS);
        stream.wake();
        return stream;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    /** Ends the stream with {@code status}: the subscriber resumes from its cursor, elsewhere or later. */
    void endWith(StatusRuntimeException status) {
        finish(status);
    }

    private void wake() {
        synchronized (this) {
            if (ended) {
                return;
            }
            if (pulling) {
                wakeAgain = true;
                return;
            }
            pulling = true;
        }
        scheduler.execute(this::pull);
    }

    private void pull() {
        String from;
        synchronized (this) {
            wakeAgain = false;
            from = cursor;
        }
        if (hub.epoch() != epoch) {
            // The log lost events this subscriber may have seen: it must drop its cache and start over.
            send(WatchRevocationsResponse.newBuilder().setReset(Reset.newBuilder().setCursor(hub.position())).build(), hub.position());
            finish(ErrorMapping.status(Code.UNAVAILABLE, "STORE_UNAVAILABLE",
                    "the revocation log was reset by a Redis failover; resubscribe with the reset's cursor"));
            return;
        }
        if (!observer.isReady()) {
            pulled(false);
            return;
        }
        hub.after(from, BATCH).whenComplete((batch, error) -> {
            if (error != null) {
                finish(ErrorMapping.toStatus(error, "WatchRevocations"));
                return;
            }
            if (batch.isReset()) {
                send(WatchRevocationsResponse.newBuilder().setReset(Reset.newBuilder().setCursor(batch.resetTo())).build(), batch.resetTo());
            }
            for (Revocation event : batch.events()) {
                send(event.reason().endsSessions()
                        ? WatchRevocationsResponse.newBuilder().setRevocation(toProto(event)).build()
                        : WatchRevocationsResponse.newBuilder().setSessionUpdate(updateToProto(event)).build(), event.cursor());
            }
            pulled(batch.events().size() == BATCH || batch.isReset());
        });
    }

    private void pulled(boolean more) {
        boolean again;
        synchronized (this) {
            again = (more || wakeAgain) && !ended && observer.isReady();
            pulling = again;
        }
        if (again) {
            scheduler.execute(this::pull);
        }
    }

    /** Heartbeats while caught up and the hub is live; ends a subscriber that blocks events for too long. */
    private void tick() {
        long now = System.nanoTime();
        String position = hub.position();
        boolean caughtUp;
        synchronized (this) {
            if (ended || pulling) {
                return;
            }
            caughtUp = position != null && Cursors.compare(cursor, position) >= 0;
            if (!caughtUp && !observer.isReady()) {
                if (blockedSinceNanos == 0) {
                    blockedSinceNanos = now;
                } else if (now - blockedSinceNanos > slowAfter.toNanos()) {
                    ended = true;
                }
            } else {
                blockedSinceNanos = 0;
            }
        }
        if (ended) {
            finish(ErrorMapping.status(Code.RESOURCE_EXHAUSTED, "SUBSCRIBER_TOO_SLOW",
                    "the subscriber did not read revocations for " + slowAfter.toSeconds() + " s; resubscribe with the last cursor"));
            return;
        }
        if (!caughtUp) {
            wake();
            return;
        }
        // Every interval while caught up, events or not: a heartbeat is what tells the subscriber it
        // has everything (replayed events alone do not), so busy streams need them too.
        if (hub.live() && observer.isReady() && (lastHeartbeatNanos == 0 || now - lastHeartbeatNanos >= heartbeat.toNanos())) {
            lastHeartbeatNanos = now;
            Instant at = Instant.now();
            String resumeAt;
            synchronized (this) {
                resumeAt = cursor;
            }
            send(WatchRevocationsResponse.newBuilder().setHeartbeat(Heartbeat.newBuilder().setCursor(resumeAt)
                    .setTime(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))).build(), resumeAt);
        }
    }

    private synchronized void send(WatchRevocationsResponse message, String newCursor) {
        if (ended) {
            return;
        }
        try {
            observer.onNext(message);
        } catch (RuntimeException cancelled) {
            end();
            return;
        }
        cursor = newCursor;
    }

    private void finish(StatusRuntimeException status) {
        synchronized (this) {
            boolean wasEnded = ended;
            ended = true;
            if (!wasEnded || status != null) {
                try {
                    observer.onError(status); // under the lock send() holds: never concurrent with onNext
                } catch (RuntimeException alreadyClosed) {
                    // cancelled meanwhile
                }
            }
        }
        end();
    }

    private void end() {
        synchronized (this) {
            ended = true;
        }
        if (unsubscribe != null) {
            unsubscribe.run();
        }
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (onEnd != null) {
            onEnd.accept(this);
        }
    }

    static io.sessionauthority.v1.SessionUpdate updateToProto(Revocation event) {
        return io.sessionauthority.v1.SessionUpdate.newBuilder()
                .setCursor(event.cursor())
                .setUserId(event.userId())
                .setSessionId(event.sessionId())
                .setTime(ProtoMapping.timestamp(event.time()))
                .setKind(switch (event.reason()) {
                    case TOKEN_ROTATED -> io.sessionauthority.v1.SessionUpdateKind.SESSION_UPDATE_KIND_TOKEN_ROTATED;
                    case STEPPED_UP -> io.sessionauthority.v1.SessionUpdateKind.SESSION_UPDATE_KIND_STEPPED_UP;
                    default -> io.sessionauthority.v1.SessionUpdateKind.SESSION_UPDATE_KIND_UNSPECIFIED;
                })
                .build();
    }

    static io.sessionauthority.v1.Revocation toProto(Revocation event) {
        return io.sessionauthority.v1.Revocation.newBuilder()
                .setCursor(event.cursor())
                .setUserId(event.userId())
                .setSessionId(event.sessionId())
                .setExceptSessionId(event.exceptSessionId())
                .setReason(ProtoMapping.endReason(event.reason()))
                .setTime(Timestamp.newBuilder().setSeconds(event.time().getEpochSecond()).setNanos(event.time().getNano()))
                .build();
    }
}
