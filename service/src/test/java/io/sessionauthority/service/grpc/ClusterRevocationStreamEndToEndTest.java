package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.StatusRuntimeException;
import io.sessionauthority.service.store.RedisSchema;
import io.sessionauthority.service.testing.ClusterTopology;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.RevocationSubscriber;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The revocation log on Redis Cluster lives in one slot ({@code sa:{revocations}}): when the master
 * of that slot is killed and its replica promoted, the same subscription goes on — no Reset, since
 * every acknowledged event was on the replica — and the revokes made during the failover, retried
 * by their callers after UNAVAILABLE, all arrive.
 */
class ClusterRevocationStreamEndToEndTest {

    private static final String PASSWORD = "correct horse battery";

    @Test
    void theStreamOutlivesAFailoverOfTheLogsMaster() throws Exception {
        assumeTrue(RedisServerProcess.onPath("redis-server") && RedisServerProcess.onPath("redis-cli"), "Cluster needs redis-server and redis-cli");
        try (ClusterTopology cluster = ClusterTopology.start();
             ServiceUnderTest service = ServiceUnderTest.start(cluster.uris().get(0), Map.of("redis.uris", cluster.uris()));
             RevocationSubscriber watch = RevocationSubscriber.watch(service.channel(), "")) {
            assertThat(watch.next(Duration.ofSeconds(10)).hasHeartbeat()).as("subscribed").isTrue();
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
            LoginResponse before = login(service);
            service.blocking().revoke(RevokeRequest.newBuilder().setToken(before.getToken()).build());
            assertThat(watch.nextRevocation(Duration.ofSeconds(10)).getSessionId()).isEqualTo(before.getSession().getSessionId());

            RedisServerProcess logMaster = cluster.masterOf(RedisSchema.revocations());
            cluster.awaitReplicaOnline(logMaster);
            LoginResponse during = login(service);
            logMaster.kill();
            // The caller's retry loop: UNAVAILABLE until the log's slot has a master again.
            long killed = System.nanoTime();
            int attempts = 1;
            while (true) {
                try {
                    service.blocking().withDeadlineAfter(2, TimeUnit.SECONDS)
                            .revoke(RevokeRequest.newBuilder().setToken(during.getToken()).build());
                    break;
                } catch (StatusRuntimeException failingOver) {
                    assertThat(System.nanoTime() - killed).as("the log's slot came back").isLessThan(TimeUnit.SECONDS.toNanos(30));
                    attempts++;
                    Thread.sleep(50);
                }
            }
            System.out.printf("revoke acknowledged %d ms after the log's master was killed, after %d attempts%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed), attempts);
            // Heartbeats may pause during the failover, but the subscription never ends nor resets.
            assertThat(watch.nextRevocation(Duration.ofSeconds(30)).getSessionId()).isEqualTo(during.getSession().getSessionId());

            LoginResponse after = login(service);
            service.blocking().revoke(RevokeRequest.newBuilder().setToken(after.getToken()).build());
            String next = watch.nextRevocation(Duration.ofSeconds(10)).getSessionId();
            while (next.equals(during.getSession().getSessionId())) {
                next = watch.nextRevocation(Duration.ofSeconds(10)).getSessionId(); // retries may append its event again
            }
            assertThat(next).isEqualTo(after.getSession().getSessionId());
        }
    }

    private static LoginResponse login(ServiceUnderTest service) {
        return service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
    }
}
