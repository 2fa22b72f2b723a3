package io.sessionauthority.client;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A caching SDK whose authority replica (a real process) is killed with kill -9 while sessions it
 * cached are revoked through another replica: when its replica is back, the SDK resumes the
 * revocation stream from its cursor and evicts exactly what was revoked meanwhile — the cache
 * survives (no reset), and no revoked token is answered from it.
 */
@Tag("process")
class RevocationResumeIT {

    @Test
    void aCachingClientResumesFromItsCursorAfterItsReplicaIsKilledAndMissesNoRevoke() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest other = ServiceUnderTest.start(redis.uri())) {
            int port = RedisServerProcess.freePort();
            ServiceProcess replica = ServiceProcess.start(redis, port, "resume-1");
            AtomicInteger hits = new AtomicInteger();
            try (SessionAuthorityClient admin = SessionAuthorityClient.builder("127.0.0.1:" + other.port()).plaintext()
                         .deadline(Duration.ofSeconds(5)).build();
                 SessionAuthorityClient cached = SessionAuthorityClient.builder("127.0.0.1:" + port).plaintext()
                         .deadline(Duration.ofSeconds(5)).validationCache(1_000, Duration.ofMinutes(10))
                         .listener(new ClientListener() {
                             @Override
                             public void onCacheHit(String method) {
                                 hits.incrementAndGet();
                             }
                         }).build()) {
                awaitStreamHealthy(cached);
                LoginResult loggedOut = signUpAndLogin(admin, "alice");
                LoginResult bobsPhone = signUpAndLogin(admin, "bob");
                LoginResult bobsLaptop = admin.login("bob", PASSWORD, ClientInfo.none());
                LoginResult kept = signUpAndLogin(admin, "carol");
                List<LoginResult> all = List.of(loggedOut, bobsPhone, bobsLaptop, kept);
                for (LoginResult login : all) {
                    assertThat(cached.validate(login.token()).isValid()).isTrue();
                }
                int cachedHits = hits.get();
                for (LoginResult login : all) {
                    assertThat(cached.validate(login.token()).isValid()).isTrue();
                }
                assertThat(hits.get()).as("all four answered from the cache").isEqualTo(cachedHits + 4);

                replica.kill();
                long killed = System.nanoTime();
                admin.revokeToken(loggedOut.token());
                admin.revokeAllSessions(bobsPhone.session().userId());
                replica = ServiceProcess.start(redis, port, "resume-2");
                awaitStreamHealthy(cached);
                System.out.printf("stream healthy again %d ms after the kill -9%n", (System.nanoTime() - killed) / 1_000_000);

                int before = hits.get();
                assertThat(cached.validate(kept.token()).isValid()).isTrue();
                assertThat(hits.get()).as("the cache survived the restart: resumed, not reset").isEqualTo(before + 1);
                ValidationResult revoked = cached.validate(loggedOut.token());
                assertThat(revoked.reason()).isEqualTo(ValidationResult.Reason.REVOKED);
                assertThat(revoked.endReason()).isEqualTo(ValidationResult.EndReason.LOGOUT);
                for (LoginResult bob : List.of(bobsPhone, bobsLaptop)) {
                    ValidationResult ended = cached.validate(bob.token());
                    assertThat(ended.reason()).isEqualTo(ValidationResult.Reason.REVOKED);
                    assertThat(ended.endReason()).isEqualTo(ValidationResult.EndReason.REVOKE_ALL);
                }
            } finally {
                replica.process().destroyForcibly();
            }
        }
    }

    private static LoginResult signUpAndLogin(SessionAuthorityClient client, String username) {
        client.createUser(username, PASSWORD);
        return client.login(username, PASSWORD, ClientInfo.none());
    }

    private static void awaitStreamHealthy(SessionAuthorityClient cached) {
        Await.until("the revocation stream healthy", Duration.ofSeconds(60), cached::revocationStreamHealthy);
    }
}
