package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.StatusRuntimeException;
import io.sessionauthority.service.store.RedisSchema;
import io.sessionauthority.service.testing.ClusterTopology;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.RevocationSubscriber;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.ChangePasswordRequest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionEndReason;
import io.sessionauthority.v1.ValidateRequest;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The revocation log on Redis Cluster lives in one slot ({@code sa:{revocations}}): when the master
 * of that slot is killed and its replica promoted, the same subscription goes on — no Reset, since
 * every acknowledged event was on the replica — and the events of the failover arrive: a revoke its
 * caller retried after UNAVAILABLE, and a password change that ended sessions on a healthy shard
 * but could not append its event (its caller cannot retry it), redelivered by the service.
 */
@Tag("end-to-end")
class ClusterRevocationStreamEndToEndTest {

    private static final String NEW_PASSWORD = "another horse battery";
    private static final java.util.Random RANDOM = new java.util.Random();
    private static String username;

    @Test
    void theStreamOutlivesAFailoverOfTheLogsMaster() throws Exception {
        assumeTrue(RedisServerProcess.onPath("redis-server") && RedisServerProcess.onPath("redis-cli"), "Cluster needs redis-server and redis-cli");
        try (ClusterTopology cluster = ClusterTopology.start();
             ServiceUnderTest service = ServiceUnderTest.start(cluster.uris().get(0), Map.of("redis.uris", cluster.uris()));
             RevocationSubscriber watch = RevocationSubscriber.watch(service.channel(), "")) {
            assertThat(watch.next(Duration.ofSeconds(10)).hasHeartbeat()).as("subscribed").isTrue();
            // A user whose keys (and failure counter) live on another shard than the log: the password change then ends
            // sessions on a healthy master while the log's master is down.
            RedisServerProcess logMaster = cluster.masterOf(RedisSchema.revocations());
            String userId;
            do {
                username = "alice" + RANDOM.nextInt(1_000_000);
                userId = service.blocking().createUser(CreateUserRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build()).getUserId();
            } while (cluster.masterOf(RedisSchema.user(userId)) == logMaster
                    || cluster.masterOf(RedisSchema.throttle("user", username)) == logMaster // ChangePassword's guard
                    || cluster.masterOf(RedisSchema.throttle("user_day", username)) == logMaster);
            LoginResponse before = login(service);
            service.blocking().revoke(RevokeRequest.newBuilder().setToken(before.getToken()).build());
            assertThat(watch.nextRevocation(Duration.ofSeconds(10)).getSessionId()).isEqualTo(before.getSession().getSessionId());

            cluster.awaitReplicaOnline(logMaster);
            LoginResponse during = login(service);
            LoginResponse other = login(service);
            logMaster.kill();
            // A password change while the log has no master: it may fail UNAVAILABLE after ending
            // the other sessions, and the caller cannot retry it (the old password is gone). Its
            // event must arrive all the same, redelivered by the replica once the log is back.
            boolean passwordChanged;
            boolean changeFailed = false;
            try {
                changePassword(service, during);
                passwordChanged = true;
            } catch (StatusRuntimeException failed) {
                System.out.println("ChangePassword during the failover: " + failed.getStatus());
                passwordChanged = false; // the script itself ran: the login below tells
                changeFailed = true;
            }
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
            passwordChanged |= logsIn(service, NEW_PASSWORD);
            if (!passwordChanged) {
                // Redis' default cluster-require-full-coverage turns the whole cluster away
                // (CLUSTERDOWN) once it has marked the master failed: the script never ran, the old
                // password still works, and the caller retries with it, as it may.
                assertThat(changeFailed).as("a change the caller heard succeed took effect").isTrue();
                changePassword(service, during);
                passwordChanged = logsIn(service, NEW_PASSWORD);
            }
            assertThat(passwordChanged).as("the password changed, at once or at the caller's retry").isTrue();
            // Heartbeats may pause during the failover, but the subscription never ends nor resets.
            Set<SessionEndReason> seen = new HashSet<>();
            Set<SessionEndReason> expected = Set.of(SessionEndReason.SESSION_END_REASON_LOGOUT, SessionEndReason.SESSION_END_REASON_PASSWORD_CHANGE);
            while (!seen.containsAll(expected)) {
                Revocation event = watch.nextRevocation(Duration.ofSeconds(30));
                seen.add(event.getReason());
                if (event.getReason() == SessionEndReason.SESSION_END_REASON_LOGOUT) {
                    assertThat(event.getSessionId()).isEqualTo(during.getSession().getSessionId());
                } else {
                    assertThat(event.getReason()).isEqualTo(SessionEndReason.SESSION_END_REASON_PASSWORD_CHANGE);
                    assertThat(event.getExceptSessionId()).isEqualTo(during.getSession().getSessionId());
                }
            }
            System.out.println("events seen after the failover: " + seen);
            if (changeFailed) {
                // It took the redelivery, and operators can see that it did.
                assertThat(service.bean(io.micrometer.core.instrument.MeterRegistry.class)
                        .get("session_authority.revocations.redelivered").functionCounter().count()).isGreaterThanOrEqualTo(1);
            }
            assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(other.getToken()).build()).getValid())
                    .as("the password change ended the other session").isFalse();

            LoginResponse after = login(service, NEW_PASSWORD);
            service.blocking().revoke(RevokeRequest.newBuilder().setToken(after.getToken()).build());
            String next = watch.nextRevocation(Duration.ofSeconds(10)).getSessionId();
            while (next.equals(during.getSession().getSessionId()) || next.isEmpty()) {
                next = watch.nextRevocation(Duration.ofSeconds(10)).getSessionId(); // retries may append its event again
            }
            assertThat(next).isEqualTo(after.getSession().getSessionId());
        }
    }

    private static LoginResponse login(ServiceUnderTest service) {
        return login(service, PASSWORD);
    }

    private static LoginResponse login(ServiceUnderTest service, String password) {
        return service.blocking().login(LoginRequest.newBuilder().setUsername(username).setPassword(password).build());
    }

    /** Whether {@code password} is the user's now; UNAVAILABLE (a key of the login's on the failing-over shard) is retried. */
    private static void changePassword(ServiceUnderTest service, LoginResponse keep) {
        service.blocking().withDeadlineAfter(5, TimeUnit.SECONDS).changePassword(ChangePasswordRequest.newBuilder()
                .setUserId(keep.getSession().getUserId()).setCurrentPassword(PASSWORD).setNewPassword(NEW_PASSWORD)
                .setKeepSessionId(keep.getSession().getSessionId()).build());
    }

    private static boolean logsIn(ServiceUnderTest service, String password) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                login(service, password);
                return true;
            } catch (StatusRuntimeException failed) {
                if (failed.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE || System.nanoTime() > giveUp) {
                    return false;
                }
                Thread.sleep(50); // the caller's retry loop, as for the revoke above
            }
        }
    }
}
