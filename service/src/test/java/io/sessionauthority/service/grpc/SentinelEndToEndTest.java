package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sessionauthority.service.session.HotSessions;
import io.sessionauthority.service.testing.SentinelTopology;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.RevocationSubscriber;
import java.time.Duration;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.ValidateRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Redis Sentinel, chosen by configuration alone ({@code redis-sentinel://…#mymaster}): the service
 * works on it, and after the master is killed it follows the promoted replica by itself, with every
 * replicated session and revoke intact.
 */
@Tag("end-to-end")
class SentinelEndToEndTest {

    @Test
    void survivesAMasterFailoverWithReplicatedSessionsAndRevokesIntact() throws Exception {
        assumeTrue(RedisServerProcess.onPath("redis-server"), "Sentinel needs redis-server on the PATH (CI installs it)");
        try (SentinelTopology redis = SentinelTopology.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri());
             RevocationSubscriber watch = RevocationSubscriber.watch(service.channel(), "")) {
            assertThat(watch.next(Duration.ofSeconds(10)).hasHeartbeat()).as("subscribed").isTrue();
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            LoginResponse kept = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            LoginResponse revoked = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            service.blocking().revoke(RevokeRequest.newBuilder().setToken(revoked.getToken()).build());
            assertThat(watch.nextRevocation(Duration.ofSeconds(10)).getSessionId()).isEqualTo(revoked.getSession().getSessionId());
            redis.awaitReplicated();

            HotSessions memory = service.bean(HotSessions.class);
            Await.until("the kept session hot, servable through an outage", Duration.ofSeconds(10), Duration.ofMillis(50),
                    () -> service.blocking().validate(ValidateRequest.newBuilder().setToken(kept.getToken()).build()).getValid()
                            && memory.whileUnreachable(kept.getSession().getSessionId()).isPresent());
            try (ServiceUnderTest.SteadyLoad load = service.steadyLoad(kept.getToken());
                 ServiceUnderTest.SteadyLoad hot = service.steadyHotLoad(kept.getToken())) {
                Await.until("the load running", Duration.ofSeconds(10), () -> load.answered() > 0 && hot.answered() > 0);
                hot.countFromNowFor(Duration.ofSeconds(5)); // the outage grace's length (5 s by default)
                redis.master().kill();
                assertThat(service.awaitValid(kept.getToken(), 30)).as("the replicated session is valid after the failover").isTrue();
                long atRecovery = load.answered();
                Await.until("the load answering again", Duration.ofSeconds(10), () -> load.answered() > atRecovery + 20);
                load.close();
                hot.close();
                System.out.println("Sentinel failover under load: " + load.summary());
                System.out.println("Sentinel failover, hot token in the first 5 s: " + hot.windowSummary() + "; " + hot.summary());
                assertThat(load.wrongAnswers()).as("never a wrong answer").isZero();
                assertThat(hot.wrongAnswers()).as("never a wrong answer from memory").isZero();
            }
            assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(revoked.getToken()).build()).getValid())
                    .as("the replicated revoke still holds").isFalse();
            // And the new master takes writes.
            LoginResponse after = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(after.getToken()).build()).getValid()).isTrue();
            // The revocation stream outlived the failover: the same subscription, no Reset (nothing
            // acknowledged was lost), and events written to the new master arrive.
            // Revokes ride connections of their own (they wait for a replica), which follow the new
            // master on their own reconnect schedule: until then a revoke answers UNAVAILABLE, "retry
            // shortly", and a caller retries, as here (seen once in CI, 0.4 s after the shared one).
            Await.until("a revoke answered on the new master", Duration.ofSeconds(30), () -> {
                try {
                    service.blocking().revoke(RevokeRequest.newBuilder().setToken(after.getToken()).build());
                    return true;
                } catch (io.grpc.StatusRuntimeException e) {
                    if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE) {
                        throw e;
                    }
                    return false;
                }
            });
            assertThat(watch.nextRevocation(Duration.ofSeconds(30)).getSessionId()).isEqualTo(after.getSession().getSessionId());
            // Checked after all those Validates: loop connections open on a loop's first read.
            assertThat(service.bean(io.sessionauthority.service.store.LoopConnections.class).size())
                    .as("behind Sentinel, Validate reads on the shared connection").isZero();
        }
    }
}
