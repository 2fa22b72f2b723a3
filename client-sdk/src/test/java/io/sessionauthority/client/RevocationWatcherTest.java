package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.WatchRevocationsRequest;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The revocation stream's subscriber against an authority that refuses it, over a real channel. */
@Tag("end-to-end")
class RevocationWatcherTest {

    /** An authority replica that refuses every subscription as over the caller's share, and counts them. */
    private static final class RefusingAuthority extends SessionAuthorityServiceGrpc.SessionAuthorityServiceImplBase {
        final AtomicInteger subscriptions = new AtomicInteger();

        @Override
        public void watchRevocations(WatchRevocationsRequest request, StreamObserver<WatchRevocationsResponse> responses) {
            subscriptions.incrementAndGet();
            responses.onError(Status.RESOURCE_EXHAUSTED.withDescription("this caller holds its share of open streams").asRuntimeException());
        }
    }

    @Test
    void aRefusedSubscriptionIsRetriedWithGrowingDelaysNotAtOnce() throws Exception {
        RefusingAuthority authority = new RefusingAuthority();
        Server server = ServerBuilder.forPort(0).addService(authority).build().start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        RevocationWatcher watcher = new RevocationWatcher(SessionAuthorityServiceGrpc.newStub(channel), new RevocationWatcher.Listener() {
            @Override
            public void onRevocation(Revocation revocation) {
            }

            @Override
            public void onUpdate(io.sessionauthority.v1.SessionUpdate update) {
            }

            @Override
            public void onReset() {
            }
        }, Duration.ofSeconds(3));
        try {
            Thread.sleep(3_000); // the span observed, not a wait for an outcome: fewer retries on a slow machine, never more
            // Backing off from 50 ms (with half of each delay random), three seconds hold at most
            // about seven attempts; retrying at once made thousands.
            assertThat(watcher.attempts()).isBetween(2, 12);
            assertThat(authority.subscriptions.get()).isLessThanOrEqualTo(watcher.attempts());
            assertThat(watcher.healthy()).isFalse();
        } finally {
            watcher.close();
            channel.shutdownNow();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
