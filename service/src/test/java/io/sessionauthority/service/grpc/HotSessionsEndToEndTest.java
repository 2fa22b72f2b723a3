package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.AllSessions;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.ValidateResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The service answers hot tokens from memory and still refuses a revoked one at once: through the
 * replica that revoked it before the Revoke returns, through any other within milliseconds.
 */
@Tag("end-to-end")
class HotSessionsEndToEndTest {

    @Test
    void hotTokensCostRedisNothingAndRevokesAreSeenByEveryReplica() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest first = ServiceUnderTest.start(redis.uri());
             ServiceUnderTest second = ServiceUnderTest.start(redis.uri())) {
            first.blocking().createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
            LoginResponse login = login(first);
            LoginResponse other = login(first);
            awaitValidFromMemory(second, login.getToken());

            long before = sessionReads(redis);
            for (int i = 0; i < 100; i++) {
                assertThat(valid(second, login.getToken())).isTrue();
            }
            assertThat(sessionReads(redis) - before).as("Redis commands for 100 hot Validates").isZero();

            // Revoked through the first replica: the second, which holds the answer, refuses (in milliseconds, printed).
            long revoked = System.nanoTime();
            first.blocking().revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build());
            Await.until("the revoke seen by the other replica", Duration.ofSeconds(10), () -> !valid(second, login.getToken()));
            System.out.printf("revoke through one replica seen by another's memory after %d ms%n", (System.nanoTime() - revoked) / 1_000_000);

            // Revoked through the replica that holds it: refused the moment Revoke returns.
            assertThat(valid(second, other.getToken())).isTrue();
            second.blocking().revoke(RevokeRequest.newBuilder().setAllSessions(AllSessions.newBuilder()
                    .setUserId(other.getSession().getUserId())).build());
            assertThat(valid(second, other.getToken())).isFalse();
        }
    }

    /** A hot session's answer is kept between Validates, and a Touch's changes show in the very next one. */
    @Test
    void aTouchShowsInTheNextHotAnswer() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("carol").setPassword(PASSWORD).build());
            LoginResponse login = login(service, "carol");
            awaitValidFromMemory(service, login.getToken());
            ValidateRequest validate = ValidateRequest.newBuilder().setToken(login.getToken()).build();
            assertThat(service.blocking().validate(validate).getSession().getAttributesMap()).doesNotContainKey("cart");

            TouchResponse touched = service.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken())
                    .putSetAttributes("cart", "3").build());
            ValidateResponse after = service.blocking().validate(validate);
            assertThat(after.getSession().getAttributesMap()).containsEntry("cart", "3");
            assertThat(after.getSession().getIdleExpireTime()).isEqualTo(touched.getSession().getIdleExpireTime());
            assertThat(service.blocking().validate(validate)).isEqualTo(after);
        }
    }

    @Test
    void withTheCacheOffEveryValidateAsksRedis() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.validation-cache.max-entries", 0))) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("bob").setPassword(PASSWORD).build());
            LoginResponse login = login(service, "bob");
            valid(service, login.getToken());
            long before = sessionReads(redis);
            for (int i = 0; i < 10; i++) {
                assertThat(valid(service, login.getToken())).isTrue();
            }
            assertThat(sessionReads(redis) - before).isEqualTo(10);
        }
    }

    /** Waits until the token is answered without Redis (the replica's hub is reading the log). */
    private static void awaitValidFromMemory(ServiceUnderTest service, String token) throws InterruptedException {
        Await.until("the answer kept in memory", Duration.ofSeconds(10), () -> {
            valid(service, token);
            return service.bean(io.sessionauthority.service.session.HotSessions.class).size() > 0;
        });
    }

    /** Reads of a session hash by Validate: HGETALL (its pipelined read) or a script (EVAL/EVALSHA). */
    private static long sessionReads(RedisServerProcess redis) {
        String stats = redis.commands().info("commandstats");
        long total = 0;
        for (String line : stats.split("\\R")) {
            if (line.startsWith("cmdstat_hgetall:") || line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                total += Long.parseLong(line.replaceAll("^cmdstat_[a-z]+:calls=(\\d+),.*", "$1"));
            }
        }
        return total;
    }

    private static boolean valid(ServiceUnderTest service, String token) {
        return service.blocking().validate(ValidateRequest.newBuilder().setToken(token).build()).getValid();
    }

    private static LoginResponse login(ServiceUnderTest service) {
        return login(service, "alice");
    }

    private static LoginResponse login(ServiceUnderTest service, String username) {
        return service.blocking().login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
    }
}
