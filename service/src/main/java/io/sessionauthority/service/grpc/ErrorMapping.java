package io.sessionauthority.service.grpc;

import io.sessionauthority.service.error.CallerGoneException;
import io.sessionauthority.service.error.Failures;
import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.sessionauthority.service.error.AlreadyExistsException;
import io.sessionauthority.service.error.ConflictException;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.NotFoundException;
import io.sessionauthority.service.error.RetryLaterException;
import io.sessionauthority.service.error.PermissionDeniedException;
import io.sessionauthority.service.error.SessionAuthorityException;
import io.sessionauthority.service.error.StoreUnavailableException;
import io.sessionauthority.service.logging.RateLimitedLog;
import io.sessionauthority.service.session.SessionLimitReachedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where outcomes become gRPC statuses. Each carries a google.rpc.ErrorInfo with a
 * stable reason; throttling also carries RetryInfo. Anything unexpected becomes INTERNAL with a
 * generic message: the stack trace goes to the log, never onto the wire.
 */
final class ErrorMapping {

    static final String DOMAIN = "sessionauthority.v1";
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);
    /** One line per kind of Redis failure every 10 s, with a count of the rest: the metrics keep every failure. */
    private static final RateLimitedLog STORE_FAILURES = new RateLimitedLog(LOG, java.time.Duration.ofSeconds(10));

    private ErrorMapping() {
    }

    static StatusRuntimeException toStatus(Throwable thrown, String method) {
        Throwable error = Failures.unwrap(thrown);
        if (!(error instanceof SessionAuthorityException known)) {
            LOG.error("Unexpected failure in {}", method, error);
            return build(Code.INTERNAL, "INTERNAL", "internal error; the service log has the details", null);
        }
        if (known instanceof StoreUnavailableException) {
            Throwable cause = known.getCause();
            STORE_FAILURES.warn(method + (cause == null ? "" : " " + cause.getClass().getName()), "{} failed: Redis: {}", method,
                    cause == null ? "?" : cause.getMessage());
        }
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(codeOf(known).getNumber())
                .setMessage(known.getMessage());
        ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(known.reason()).setDomain(DOMAIN);
        if (known instanceof InvalidArgumentException invalid) {
            info.putMetadata("field", invalid.field());
        }
        status.addDetails(Any.pack(info.build()));
        if (known instanceof SessionLimitReachedException limit) {
            status.addDetails(Any.pack(ProtoMapping.sessionLimitReached(limit)));
        }
        if (known instanceof RetryLaterException retryLater) {
            status.addDetails(Any.pack(RetryInfo.newBuilder()
                    .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                            .setSeconds(retryLater.retryAfter().getSeconds())
                            .setNanos(retryLater.retryAfter().getNano()))
                    .build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    private static Code codeOf(SessionAuthorityException error) {
        if (error instanceof InvalidArgumentException) {
            return Code.INVALID_ARGUMENT;
        } else if (error instanceof InvalidCredentialsException) {
            return Code.UNAUTHENTICATED;
        } else if (error instanceof NotFoundException) {
            return Code.NOT_FOUND;
        } else if (error instanceof AlreadyExistsException) {
            return Code.ALREADY_EXISTS;
        } else if (error instanceof RetryLaterException) {
            return Code.RESOURCE_EXHAUSTED;
        } else if (error instanceof StoreUnavailableException) {
            return Code.UNAVAILABLE;
        } else if (error instanceof ConflictException) {
            return Code.ABORTED;
        } else if (error instanceof PermissionDeniedException) {
            return Code.PERMISSION_DENIED;
        } else if (error instanceof CallerGoneException) {
            return Code.CANCELLED;
        } else if (error instanceof SessionLimitReachedException || error instanceof io.sessionauthority.service.error.PreconditionFailedException) {
            return Code.FAILED_PRECONDITION;
        }
        return Code.INTERNAL;
    }

    /** A status with an ErrorInfo of {@code reason}, for errors raised outside the domain (interceptors). */
    static StatusRuntimeException status(Code code, String reason, String message) {
        return build(code, reason, message, null);
    }

    private static StatusRuntimeException build(Code code, String reason, String message, Throwable cause) {
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN).build()))
                .build());
    }

}
