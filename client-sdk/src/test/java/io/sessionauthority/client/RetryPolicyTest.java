package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.v1.ClientMetadata;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.ValidateResponse;
import io.sessionauthority.v1.InvalidReason;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The client's retry policy, against a stand-in authority that fails the first attempts of every
 * call with UNAVAILABLE (the one thing the real service cannot be made to do on demand).
 */
@Tag("end-to-end")
class RetryPolicyTest {

    private final AtomicInteger validateAttempts = new AtomicInteger();
    private final AtomicInteger loginAttempts = new AtomicInteger();
    private Server flaky;

    @BeforeEach
    void start() throws Exception {
        flaky = ServerBuilder.forPort(0).addService(new SessionAuthorityServiceGrpc.SessionAuthorityServiceImplBase() {
            @Override
            public void validate(ValidateRequest request, StreamObserver<ValidateResponse> observer) {
                if (validateAttempts.incrementAndGet() < 3) {
                    observer.onError(Status.UNAVAILABLE.withDescription("failing over").asRuntimeException());
                    return;
                }
                observer.onNext(ValidateResponse.newBuilder().setValid(false).setReason(InvalidReason.INVALID_REASON_UNKNOWN).build());
                observer.onCompleted();
            }

            @Override
            public void login(LoginRequest request, StreamObserver<LoginResponse> observer) {
                loginAttempts.incrementAndGet();
                observer.onError(Status.UNAVAILABLE.withDescription("failing over").asRuntimeException());
            }
        }).build().start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        flaky.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private SessionAuthorityClient client(int maxAttempts) {
        return SessionAuthorityClient.builder("127.0.0.1:" + flaky.getPort()).plaintext()
                .deadline(Duration.ofSeconds(5)).maxAttempts(maxAttempts).build();
    }

    @Test
    void idempotentCallsAreRetriedOnUnavailable() {
        try (SessionAuthorityClient client = client(3)) {
            assertThat(client.validate("sat1_" + "A".repeat(64)).reason()).isEqualTo(ValidationResult.Reason.UNKNOWN);
            assertThat(validateAttempts).hasValue(3);
        }
    }

    @Test
    void loginIsNeverRetried() {
        try (SessionAuthorityClient client = client(3)) {
            assertThatThrownBy(() -> client.login("alice", "password", ClientInfo.none()))
                    .isInstanceOf(UnavailableException.class);
            assertThat(loginAttempts).hasValue(1);
        }
    }

    @Test
    void retriesCanBeTurnedOff() {
        try (SessionAuthorityClient client = client(1)) {
            assertThatThrownBy(() -> client.validate("sat1_" + "A".repeat(64))).isInstanceOf(UnavailableException.class);
            assertThat(validateAttempts).hasValue(1);
        }
    }
}
