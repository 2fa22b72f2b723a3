package io.sessionauthority.client;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.sessionauthority.client.example.GreeterService;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Token rotation through the SDK against the real service: a second SDK's cache that hears of a
 * reused token on WatchRevocations and refuses both tokens, automatic rotation by
 * validateAndRefresh, and the interceptor handing a rotated token back in a response header.
 */
@Tag("end-to-end")
class TokenRotationClientTest {

    private static final Duration WITHIN = Duration.ofSeconds(10);

    private static RedisServerProcess redis;
    /** A one-second grace, tokens due after three seconds. */
    private static ServiceUnderTest service;
    private static SessionAuthorityClient client;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.sessions.rotation-grace", "1s",
                "session-authority.sessions.rotate-after", "3s"));
        client = SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext().deadline(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        service.close();
        redis.close();
    }

    private static LoginResult signUpAndLogin(String username) {
        client.createUser(username, PASSWORD);
        return client.login(username, PASSWORD, ClientInfo.none());
    }

    @Test
    void aSecondSdkHearsOfAReusedTokenAndRefusesBothTokens() {
        LoginResult login = signUpAndLogin("victor");
        try (SessionAuthorityClient cached = SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext()
                .deadline(Duration.ofSeconds(5)).validationCache(1_000, Duration.ofMinutes(10)).build()) {
            Await.until("the revocation stream healthy", WITHIN, cached::revocationStreamHealthy);
            assertThat(cached.validate(login.token()).isValid()).isTrue();
            assertThat(cached.cachedLiveAnswers()).as("the answer is cached").isEqualTo(1);

            ValidationResult refreshed = client.refresh(login.token());
            String next = refreshed.newToken().orElseThrow();
            assertThat(refreshed.tokenGraceEnd()).isPresent();
            assertThat(refreshed.session().orElseThrow().sessionId()).isEqualTo(login.session().sessionId());
            Await.until("the rotation seen by the cache", WITHIN, () -> cached.cachedLiveAnswers() == 0);
            assertThat(cached.validate(next).isValid()).isTrue();
            assertThat(cached.cachedLiveAnswers()).as("the new token's answer is cached").isEqualTo(1);

            // Someone kept a copy of the old token, and presents it after the grace (elsewhere: another service).
            Await.until("the old token's grace to end", WITHIN, () -> !client.validate(login.token()).isValid());
            assertThat(client.validate(login.token()).endReason()).isEqualTo(ValidationResult.EndReason.TOKEN_REUSE);

            Await.until("the reuse seen by the cache", WITHIN, () -> cached.cachedLiveAnswers() == 0);
            for (String token : new String[] {login.token(), next}) {
                ValidationResult refused = cached.validate(token);
                assertThat(refused.isValid()).isFalse();
                assertThat(refused.reason()).isEqualTo(ValidationResult.Reason.REVOKED);
                assertThat(refused.endReason()).isEqualTo(ValidationResult.EndReason.TOKEN_REUSE);
            }
        }
    }

    @Test
    void validateAndRefreshRotatesADueTokenOnce() {
        LoginResult login = signUpAndLogin("wendy");
        Await.until("the token to be due", WITHIN, () -> client.validate(login.token()).refreshDue());

        String token = login.token();
        // README:rotation:begin
        ValidationResult answer = client.validateAndRefresh(token);
        // A due token was exchanged: its holder uses the new one from now on (a cookie, a header).
        String current = answer.newToken().orElse(token);
        // README:rotation:end
        assertThat(current).isNotEqualTo(token);
        String next = answer.newToken().orElseThrow();
        assertThat(next).startsWith("sat2_");
        ValidationResult now = client.validate(next);
        assertThat(now.isValid()).isTrue();
        assertThat(now.refreshDue()).isFalse();
        assertThat(now.newToken()).isEmpty();
    }

    @Test
    void theInterceptorHandsARotatedTokenBackInAResponseHeader() throws Exception {
        LoginResult login = signUpAndLogin("xena");
        Server greeter = io.grpc.ServerBuilder.forPort(0)
                .addService(io.grpc.ServerInterceptors.intercept(new GreeterService(),
                        SessionAuthInterceptor.builder(client).rotateTokens().build()))
                .build().start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", greeter.getPort()).usePlaintext().build();
        try {
            Await.until("the token to be due", WITHIN, () -> client.validate(login.token()).refreshDue());
            Metadata request = new Metadata();
            request.put(SessionAuthInterceptor.AUTHORIZATION, "Bearer " + login.token());
            AtomicReference<Metadata> headers = new AtomicReference<>();
            AtomicReference<Metadata> trailers = new AtomicReference<>();
            io.grpc.Channel intercepted = io.grpc.ClientInterceptors.intercept(channel,
                    MetadataUtils.newAttachHeadersInterceptor(request), MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
            assertThat(ClientCalls.blockingUnaryCall(intercepted, GreeterService.HELLO,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi")).isNotEmpty();

            String rotated = headers.get().get(SessionAuthInterceptor.ROTATED_TOKEN);
            assertThat(rotated).startsWith("sat2_");
            assertThat(client.validate(rotated).isValid()).isTrue();
            assertThat(client.validate(rotated).refreshDue()).isFalse();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            greeter.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
