package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.testing.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The production jar leaves out what it does not need (Envoy's generated API, ICU's locale data):
 * this is the run that proves the rest is enough, through the jar itself, as the container runs it.
 * Username rules need ICU's normalization, property and confusables data; ext_authz is covered by
 * the container and Envoy tests.
 */
@Tag("process")
class ProductionJarIT {

    private static final String PASSWORD = "correct horse battery staple";

    @Test
    void usernamesAreNormalizedAndLookAlikesRefusedByTheProductionJar() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            int port = RedisServerProcess.freePort();
            ServiceProcess authority = ServiceProcess.start(redis, port, "production-jar");
            try (SessionAuthorityClient client = SessionAuthorityClient.builder("127.0.0.1:" + port).plaintext()
                    .hashingDeadline(Duration.ofSeconds(10)).build()) {
                client.awaitReady(Duration.ofSeconds(30));
                // Full width and upper case: NFKC and case folding.
                assertThat(client.createUser("ＡＰＥ", PASSWORD).username()).isEqualTo("ape");
                // Cyrillic "аре" is drawn like "ape": the confusable skeleton.
                assertThatThrownBy(() -> client.createUser("\u0430\u0440\u0435", PASSWORD)).isInstanceOf(AlreadyExistsException.class);
                // Latin alpha is not in the identifier profile; mixed scripts are not highly restrictive.
                assertThatThrownBy(() -> client.createUser("\u0251lice", PASSWORD)).isInstanceOf(InvalidArgumentException.class);
                assertThatThrownBy(() -> client.createUser("p\u0430ypal", PASSWORD)).isInstanceOf(InvalidArgumentException.class);
                assertThat(client.login("ape", PASSWORD, ClientInfo.none()).session().username()).isEqualTo("ape");
            } finally {
                authority.kill();
            }
        }
    }
}
