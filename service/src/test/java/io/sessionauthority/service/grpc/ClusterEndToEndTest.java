package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sessionauthority.service.store.RedisSchema;
import io.sessionauthority.service.testing.ClusterTopology;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import java.time.Duration;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.ListSessionsRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.AllSessions;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.ValidateRequest;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Redis Cluster, chosen by configuration alone ({@code redis.uris}): every operation works across
 * 3 shards (all keys of a user share one slot), and the service follows a master's failover.
 */
@Tag("end-to-end")
class ClusterEndToEndTest {

    @Test
    void everyOperationWorksAcrossShardsAndSurvivesAMasterFailover() throws Exception {
        assumeTrue(RedisServerProcess.onPath("redis-server") && RedisServerProcess.onPath("redis-cli"), "Cluster needs redis-server and redis-cli on the PATH");
        try (ClusterTopology cluster = ClusterTopology.start();
             ServiceUnderTest service = ServiceUnderTest.start(cluster.uris().get(0), Map.of("redis.uris", cluster.uris()))) {
            String[] names = {"alice", "bob", "carol", "dave", "erin", "frank"};
            LoginResponse alice = null;
            for (String name : names) {
                service.blocking().createUser(CreateUserRequest.newBuilder().setUsername(name).setPassword("correct horse battery").build());
                LoginResponse login = service.blocking().login(LoginRequest.newBuilder().setUsername(name).setPassword("correct horse battery").build());
                assertThat(service.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken()).build()).getValid()).isTrue();
                if (alice == null) {
                    alice = login;
                }
            }
            String uid = alice.getSession().getUserId();
            assertThat(service.blocking().listSessions(ListSessionsRequest.newBuilder().setUserId(uid).build()).getSessionsCount()).isEqualTo(1);
            LoginResponse second = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            assertThat(service.blocking().revoke(RevokeRequest.newBuilder().setAllSessions(AllSessions.newBuilder()
                    .setUserId(uid).setExceptSessionId(alice.getSession().getSessionId())).build()).getRevokedCount()).isEqualTo(1);
            assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(second.getToken()).build()).getValid()).isFalse();

            var master = cluster.masterOf(RedisSchema.user(uid));
            assertThat(master.commands().waitForReplication(1, 5000)).as("the replica has the session").isGreaterThanOrEqualTo(1);
            String token = alice.getToken();
            try (ServiceUnderTest.SteadyLoad load = service.steadyLoad(token)) {
                Await.until("the load running", Duration.ofSeconds(10), () -> load.answered() > 0);
                master.kill();
                assertThat(service.awaitValid(token, 30)).as("the replicated session is valid after the failover").isTrue();
                long atRecovery = load.answered();
                Await.until("the load answering again", Duration.ofSeconds(10), () -> load.answered() > atRecovery + 20);
                load.close();
                System.out.println("Cluster failover under load: " + load.summary());
                assertThat(load.wrongAnswers()).as("never a wrong answer").isZero();
            }
            assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(second.getToken()).build()).getValid()).isFalse();
        }
    }
}
