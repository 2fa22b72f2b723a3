package io.sessionauthority.service.testing;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.WatchRevocationsRequest;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WatchRevocations subscriber for tests: messages queue up, and the stream's end is kept. */
public final class RevocationSubscriber implements AutoCloseable {

    private final LinkedBlockingQueue<WatchRevocationsResponse> messages = new LinkedBlockingQueue<>();
    private volatile Status end;
    private volatile ClientCallStreamObserver<WatchRevocationsRequest> call;

    private RevocationSubscriber(Channel channel, String cursor, boolean autoRead) {
        SessionAuthorityServiceGrpc.newStub(channel).watchRevocations(WatchRevocationsRequest.newBuilder().setCursor(cursor).build(),
                new ClientResponseObserver<WatchRevocationsRequest, WatchRevocationsResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchRevocationsRequest> requestStream) {
                        call = requestStream;
                        if (!autoRead) {
                            requestStream.disableAutoRequestWithInitial(1);
                        }
                    }

                    @Override
                    public void onNext(WatchRevocationsResponse message) {
                        messages.add(message);
                    }

                    @Override
                    public void onError(Throwable error) {
                        end = Status.fromThrowable(error);
                    }

                    @Override
                    public void onCompleted() {
                        end = Status.OK;
                    }
                });
    }

    /** Subscribes after {@code cursor} (empty: from now on). */
    public static RevocationSubscriber watch(Channel channel, String cursor) {
        return new RevocationSubscriber(channel, cursor, true);
    }

    /** Subscribes but reads one message only, until {@link #read(int)}: a subscriber that does not keep up. */
    public static RevocationSubscriber watchWithoutReading(Channel channel, String cursor) {
        return new RevocationSubscriber(channel, cursor, false);
    }

    public void read(int count) {
        call.request(count);
    }

    /** The next message of any kind. */
    public WatchRevocationsResponse next(Duration within) throws InterruptedException {
        WatchRevocationsResponse message = messages.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no message within " + within + (end == null ? "" : "; the stream ended: " + end));
        }
        return message;
    }

    /**
     * Whether the stream delivers a first message (true) or ends first (false), waiting up to
     * {@code within}: a refused subscription answers at once, without waiting out the time.
     */
    public boolean deliversBeforeEnding(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Status ended = end; // read before the queue: a message queued before the end is still seen
            if (!messages.isEmpty()) {
                return true;
            }
            if (ended != null) {
                return false;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("neither a message nor the stream's end within " + within);
    }

    /** The next message that is not a heartbeat: a revocation, a token rotation or a reset. */
    public WatchRevocationsResponse nextEvent(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            WatchRevocationsResponse message = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (!message.hasHeartbeat()) {
                return message;
            }
        }
    }

    /** The next event, skipping heartbeats. */
    public Revocation nextRevocation(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            WatchRevocationsResponse message = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (message.hasRevocation()) {
                return message.getRevocation();
            }
            if (!message.hasHeartbeat()) {
                throw new AssertionError("expected a revocation, got " + message);
            }
        }
    }

    /** How the stream ended, waiting up to {@code within}; null while open. */
    public Status awaitEnd(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (end == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return end;
    }

    public int queued() {
        return messages.size();
    }

    @Override
    public void close() {
        if (call != null) {
            call.cancel("test done", null);
        }
    }
}
