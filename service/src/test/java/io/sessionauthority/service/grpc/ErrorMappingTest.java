package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sessionauthority.service.error.ConflictException;
import io.sessionauthority.service.error.OverloadedException;
import io.sessionauthority.service.error.StoreUnavailableException;
import io.sessionauthority.service.error.ThrottledException;
import io.sessionauthority.service.testing.GrpcErrors;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The one place outcomes become statuses: each named outcome to its status, reason and details. */
@Tag("unit")
class ErrorMappingTest {

    @Test
    void aConflictIsAbortedWithItsReason() {
        StatusRuntimeException status = ErrorMapping.toStatus(new CompletionException(
                new ConflictException("PASSWORD_CHANGED_CONCURRENTLY", "changed meanwhile")), "ChangePassword");
        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(GrpcErrors.errorInfo(status).getReason()).isEqualTo("PASSWORD_CHANGED_CONCURRENTLY");
    }

    @Test
    void throttlingAndSheddingAreResourceExhaustedWithWhenToRetry() {
        for (var refused : new io.sessionauthority.service.error.RetryLaterException[] {
                new ThrottledException(Duration.ofSeconds(60)),
                new OverloadedException("PASSWORD_HASHING_BUSY", "busy", Duration.ofSeconds(1))}) {
            StatusRuntimeException status = ErrorMapping.toStatus(refused, "Login");
            assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(GrpcErrors.retryInfo(status)).hasValueSatisfying(retry ->
                    assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(refused.retryAfter().getSeconds()));
        }
    }

    @Test
    void aStoreOutageIsUnavailableWithoutRedisDetails() {
        StatusRuntimeException status = ErrorMapping.toStatus(new StoreUnavailableException("the session store is unavailable; retry shortly",
                new RuntimeException("connection to 10.0.0.7:6379 refused")), "Validate");
        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getStatus().getDescription()).doesNotContain("10.0.0.7");
    }

    @Test
    void anythingUnexpectedIsInternalWithoutItsStackTrace() {
        StatusRuntimeException status = ErrorMapping.toStatus(new IllegalStateException("secret detail"), "Validate");
        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(status.getStatus().getDescription()).doesNotContain("secret detail");
    }
}
