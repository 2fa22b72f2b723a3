package io.sessionauthority.service.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert;

/** Assertions on gRPC errors as a caller sees them: status, message and error details. */
public final class GrpcErrors {

    private GrpcErrors() {
    }

    public static StatusRuntimeException expectStatus(Status.Code code, ThrowableAssert.ThrowingCallable call) {
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(error).as("expected %s", code).isNotNull();
        assertThat(error.getStatus().getCode()).as(error.getStatus().toString()).isEqualTo(code);
        return error;
    }

    public static ErrorInfo errorInfo(StatusRuntimeException error) {
        return detail(error, ErrorInfo.class).orElseThrow(() -> new AssertionError("no ErrorInfo in " + error));
    }

    public static Optional<RetryInfo> retryInfo(StatusRuntimeException error) {
        return detail(error, RetryInfo.class);
    }

    private static <T extends com.google.protobuf.Message> Optional<T> detail(StatusRuntimeException error, Class<T> type) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return Optional.empty();
        }
        for (com.google.protobuf.Any any : status.getDetailsList()) {
            if (any.is(type)) {
                try {
                    return Optional.of(any.unpack(type));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return Optional.empty();
    }
}
