package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.RevocationSubscriber;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.ValidateRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A replica started before its Redis (a fresh cluster, a Redis failing over, compose starting both
 * at once) starts all the same: it reports NOT_SERVING and answers UNAVAILABLE, connects in the
 * background, and serves — revocation stream included — as soon as Redis is there. It once exited
 * at start-up with a stack trace, which Kubernetes turns into a crash loop.
 */
@Tag("end-to-end")
class StartWithoutRedisEndToEndTest {

    @Test
    void theServiceStartsWithoutRedisAndServesOnceRedisIsThere() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            redis.kill();
            try (ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
                assertThat(health(service)).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
                assertThatThrownBy(() -> service.blocking().createUser(user("alice")))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                refused -> assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

                redis.restart();
                Await.until("SERVING once Redis is there", Duration.ofSeconds(30),
                        () -> health(service) == HealthCheckResponse.ServingStatus.SERVING);
                service.blocking().createUser(user("alice"));
                LoginResponse login = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build());
                assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(login.getToken()).setSkipCache(true).build())
                        .getValid()).isTrue();
                // The revocation log's reader connected late too: the stream carries the revoke.
                try (RevocationSubscriber watch = subscribe(service)) {
                    service.blocking().revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build());
                    assertThat(watch.nextRevocation(Duration.ofSeconds(10)).getSessionId()).isEqualTo(login.getSession().getSessionId());
                }
            }
        }
    }

    /**
     * Subscribes as the SDK does: a stream refused while the log's reader has not read yet (its first
     * read after Redis returns takes up to one poll, 250 ms) is tried again.
     */
    private static RevocationSubscriber subscribe(ServiceUnderTest service) {
        java.util.concurrent.atomic.AtomicReference<RevocationSubscriber> subscribed = new java.util.concurrent.atomic.AtomicReference<>();
        Await.until("a revocation stream that opens", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            RevocationSubscriber watch = RevocationSubscriber.watch(service.channel(), "");
            try {
                if (watch.next(Duration.ofSeconds(2)).hasHeartbeat()) {
                    subscribed.set(watch);
                    return true;
                }
            } catch (AssertionError refused) {
                // ended (UNAVAILABLE while the reader catches up): try again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            watch.close();
            return false;
        });
        return subscribed.get();
    }

    private static CreateUserRequest user(String name) {
        return CreateUserRequest.newBuilder().setUsername(name).setPassword(PASSWORD).build();
    }

    private static HealthCheckResponse.ServingStatus health(ServiceUnderTest service) {
        return HealthGrpc.newBlockingStub(service.channel()).withDeadlineAfter(2, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }
}
