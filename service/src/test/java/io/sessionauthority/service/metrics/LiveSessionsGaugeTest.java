package io.sessionauthority.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sessionauthority.service.store.RedisProbe;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The live-sessions gauge reports what Redis counts: keys with a TTL, never by scanning. */
@Tag("redis")
class LiveSessionsGaugeTest {

    @Test
    void reportsTheKeysWithATtlAndFollowsThem() {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisClient client = RedisClient.create(redis.uri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                for (int i = 0; i < 7; i++) {
                    connection.sync().psetex("sa:{u}:s:" + i, 60_000, "session");
                }
                connection.sync().set("sa:username:alice", "u"); // no TTL: not a session
                RedisProbe probe = new RedisProbe(connection.async());
                try (LiveSessionsGauge gauge = new LiveSessionsGauge(probe::keysWithTtl, registry, Duration.ofMillis(20))) {
                    Await.until("the gauge read 7", Duration.ofSeconds(10), () -> gauge.value() == 7);
                    assertThat(registry.get("session_authority.sessions.live.approx").gauge().value()).isEqualTo(7.0);
                    connection.sync().del("sa:{u}:s:0", "sa:{u}:s:1");
                    Await.until("the gauge followed to 5", Duration.ofSeconds(10), () -> gauge.value() == 5);
                }
            } finally {
                client.shutdown();
            }
        }
    }
}
