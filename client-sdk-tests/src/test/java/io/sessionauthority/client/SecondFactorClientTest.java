package io.sessionauthority.client;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.sessionauthority.client.example.GreeterService;
import io.sessionauthority.service.secondfactor.Totp;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.MutableClock;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The second factor through the SDK against the real service: enrolment, a login in two halves,
 * validate with an {@link Assurance}, a caching client following a step-up, and the interceptor
 * refusing a method that needs AAL2 with a step-up challenge.
 */
@Tag("end-to-end")
class SecondFactorClientTest {

    private static final MutableClock CLOCK = MutableClock.startingNow();
    private static RedisServerProcess redis;
    private static ServiceUnderTest service;
    private static SessionAuthorityClient client;

    @BeforeAll
    static void start() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        redis = RedisServerProcess.start();
        service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.second-factor.keys",
                "k1:" + Base64.getEncoder().encodeToString(key), "session-authority.second-factor.active-key", "k1"), CLOCK);
        client = SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext().deadline(Duration.ofSeconds(5))
                .clock(CLOCK).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        service.close();
        redis.close();
    }

    /** Signs a user up, enrols and confirms a factor with their first session; its secret. */
    private static byte[] userWithFactor(String username, String[] firstToken) {
        client.createUser(username, PASSWORD);
        LoginResult login = client.login(username, PASSWORD, ClientInfo.none());
        firstToken[0] = login.token();
        SessionAuthorityClient.TotpEnrolment enrolment = client.enrollTotp(login.token(), "Acme");
        byte[] secret = BaseEncoding.base32().omitPadding().decode(enrolment.secret());
        List<String> recovery = client.confirmTotp(login.token(), Totp.codeAt(secret, CLOCK.instant()));
        assertThat(recovery).hasSize(10);
        CLOCK.advance(Duration.ofSeconds(30));
        return secret;
    }

    @Test
    void aLoginInTwoHalvesAndValidateWithAnAssurance() {
        String[] first = new String[1];
        byte[] secret = userWithFactor("wanda", first);
        assertThat(client.validate(first[0], Assurance.aal2()).isValid()).as("confirming stepped it up").isTrue();

        LoginResult half = client.login("wanda", PASSWORD, ClientInfo.none());
        assertThat(half.secondFactorRequired()).isTrue();
        assertThat(client.validate(half.token()).reason()).isEqualTo(ValidationResult.Reason.STEP_UP_REQUIRED);
        assertThatThrownBy(() -> client.stepUp(half.token(), "000000".equals(Totp.codeAt(secret, CLOCK.instant())) ? "111111" : "000000",
                ClientInfo.none())).isInstanceOf(UnauthenticatedException.class);

        ValidationResult stepped = client.stepUp(half.token(), Totp.codeAt(secret, CLOCK.instant()), ClientInfo.none());
        SessionInfo session = stepped.session().orElseThrow();
        assertThat(session.assuranceLevel()).isEqualTo(2);
        assertThat(session.authenticationMethods()).containsExactly("pwd", "otp");
        String replaced = stepped.newToken().orElseThrow();
        assertThat(stepped.tokenGraceEnd()).contains(CLOCK.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusSeconds(30));
        assertThat(client.validate(half.token()).reason()).as("the first half's token, within the grace, is still a first half")
                .isEqualTo(ValidationResult.Reason.STEP_UP_REQUIRED);
        assertThat(client.validate(replaced, Assurance.aal2().within(Duration.ofMinutes(5))).isValid()).isTrue();
        CLOCK.advance(Duration.ofMinutes(6));
        assertThat(client.validate(replaced, Assurance.aal2().within(Duration.ofMinutes(5))).reason())
                .isEqualTo(ValidationResult.Reason.STEP_UP_REQUIRED);
        assertThat(client.validate(replaced, Assurance.aal2()).isValid()).isTrue();

        CLOCK.advance(Duration.ofMinutes(5));
        String token = replaced;
        String codeFromTheUser = Totp.codeAt(secret, CLOCK.instant());
        // README:step-up:begin
        ValidationResult answer = client.validate(token, Assurance.aal2().within(Duration.ofMinutes(10)));
        if (answer.reason() == ValidationResult.Reason.STEP_UP_REQUIRED) {
            // Ask the user for a code from their authenticator app (or a recovery code), then:
            answer = client.stepUp(token, codeFromTheUser, ClientInfo.none());
            token = answer.newToken().orElse(token); // stepping up replaces the token: hand the new one to the user
        }
        // README:step-up:end
        assertThat(answer.isValid()).isTrue();
        assertThat(token).isNotEqualTo(replaced);
        assertThat(client.validate(token, Assurance.aal2()).isValid()).isTrue();
        assertThat(answer.session().orElseThrow().authenticatedAt()).isEqualTo(CLOCK.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    @Test
    void aCachingClientSeesAStepUpMadeElsewhere() {
        client.createUser("xavier", PASSWORD);
        LoginResult login = client.login("xavier", PASSWORD, ClientInfo.none());
        try (SessionAuthorityClient cached = SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext()
                .deadline(Duration.ofSeconds(5)).clock(CLOCK).validationCache(100, Duration.ofMinutes(10)).build()) {
            Await.until("the revocation stream healthy", Duration.ofSeconds(10), cached::revocationStreamHealthy);
            assertThat(cached.validate(login.token(), Assurance.aal2()).reason()).isEqualTo(ValidationResult.Reason.STEP_UP_REQUIRED);
            assertThat(cached.cachedLiveAnswers()).as("the AAL1 answer is cached").isEqualTo(1);

            SessionAuthorityClient.TotpEnrolment enrolment = client.enrollTotp(login.token(), "");
            client.confirmTotp(login.token(), Totp.codeAt(BaseEncoding.base32().omitPadding().decode(enrolment.secret()), CLOCK.instant()));
            Await.until("the step-up seen by the cache", Duration.ofSeconds(10),
                    () -> cached.validate(login.token(), Assurance.aal2()).isValid());
        }
    }

    @Test
    void theInterceptorRefusesAMethodThatNeedsAal2WithAStepUpChallenge() throws Exception {
        client.createUser("yara", PASSWORD);
        LoginResult aal1 = client.login("yara", PASSWORD, ClientInfo.none());
        Server greeter = io.grpc.ServerBuilder.forPort(0)
                .addService(io.grpc.ServerInterceptors.intercept(new GreeterService(),
                        SessionAuthInterceptor.builder(client).require(Assurance.aal2().within(Duration.ofMinutes(10)),
                                GreeterService.HELLO.getFullMethodName()).build()))
                .build().start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", greeter.getPort()).usePlaintext().build();
        try {
            StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> hello(channel, aal1.token()));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(refused.getTrailers().get(SessionAuthInterceptor.WWW_AUTHENTICATE))
                    .contains("insufficient_user_authentication").contains("acr_values=\"aal2\"").contains("max_age=600");

            SessionAuthorityClient.TotpEnrolment enrolment = client.enrollTotp(aal1.token(), "");
            client.confirmTotp(aal1.token(), Totp.codeAt(BaseEncoding.base32().omitPadding().decode(enrolment.secret()), CLOCK.instant()));
            assertThat(hello(channel, aal1.token())).isNotEmpty();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            greeter.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String hello(ManagedChannel channel, String token) {
        Metadata headers = new Metadata();
        headers.put(SessionAuthInterceptor.AUTHORIZATION, "Bearer " + token);
        return ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
                GreeterService.HELLO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi");
    }
}
