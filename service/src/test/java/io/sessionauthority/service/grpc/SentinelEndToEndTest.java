package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.StatusRuntimeException;
import io.sessionauthority.service.testing.SentinelTopology;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.ValidateRequest;
import java.io.File;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redis Sentinel, chosen by configuration alone ({@code redis-sentinel://…#mymaster}): the service
 * works on it, and after the master is killed it follows the promoted replica by itself, with every
 * replicated session and revoke intact.
 */
class SentinelEndToEndTest {

    @Test
    void survivesAMasterFailoverWithReplicatedSessionsAndRevokesIntact() throws Exception {
        assumeTrue(onPath("redis-server"), "Sentinel needs redis-server on the PATH (CI installs it)");
        try (SentinelTopology redis = SentinelTopology.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            LoginResponse kept = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            LoginResponse revoked = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            service.blocking().revoke(RevokeRequest.newBuilder().setToken(revoked.getToken()).build());
            redis.awaitReplicated();

            redis.master().kill();

            assertThat(awaitValidation(service, kept.getToken(), 30)).as("the replicated session is valid after the failover").isTrue();
            assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(revoked.getToken()).build()).getValid())
                    .as("the replicated revoke still holds").isFalse();
            // And the new master takes writes.
            LoginResponse after = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(after.getToken()).build()).getValid()).isTrue();
        }
    }

    private static boolean awaitValidation(ServiceUnderTest service, String token, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                if (service.blocking().withDeadlineAfter(2, TimeUnit.SECONDS)
                        .validate(ValidateRequest.newBuilder().setToken(token).build()).getValid()) {
                    return true;
                }
            } catch (StatusRuntimeException failingOver) {
                // UNAVAILABLE until the sentinels promote a replica and the client follows it
            }
            Thread.sleep(200);
        }
        return false;
    }

    private static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, binary).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
