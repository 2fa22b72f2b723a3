package io.sessionauthority.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.sessionauthority.v1.SessionLimitReached;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** gRPC failures → the SDK's exception hierarchy, in one place. */
final class Errors {

    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

    private Errors() {
    }

    static RuntimeException map(Throwable thrown) {
        Throwable error = unwrap(thrown);
        if (error instanceof SessionAuthorityException known) {
            return known;
        }
        Status status = Status.fromThrowable(error);
        com.google.rpc.Status details = error instanceof StatusRuntimeException sre ? StatusProto.fromThrowable(sre) : null;
        ErrorInfo info = detail(details, ErrorInfo.class);
        String reason = info == null ? "" : info.getReason();
        String message = status.getCode() + ": " + (status.getDescription() == null ? "(no description)" : status.getDescription());
        if (isTlsFailure(error)) {
            return new MisconfiguredException(status.getCode(), "TLS_FAILED", "cannot reach Session Authority over TLS: "
                    + "check the trusted CA and the authority's name (" + message + ")", error);
        }
        if (status.getCode() == Status.Code.UNAUTHENTICATED && "CALLER_UNAUTHENTICATED".equals(reason)) {
            return new MisconfiguredException(status.getCode(), reason, "Session Authority does not know this client: "
                    + "check its API key or client certificate (" + message + ")", error);
        }
        SessionLimitReached limit = detail(details, SessionLimitReached.class);
        if (status.getCode() == Status.Code.FAILED_PRECONDITION && limit != null) {
            return new SessionLimitReachedException(reason, message, limit.getMaxSessions(),
                    limit.getSessionsList().stream().map(SessionInfo::of).toList(), error);
        }
        return switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED -> new UnavailableException(status.getCode(), reason, message, error);
            case RESOURCE_EXHAUSTED -> new ThrottledException(reason, message, retryAfter(details), error);
            case INVALID_ARGUMENT -> new InvalidArgumentException(reason, message,
                    info == null ? "" : info.getMetadataOrDefault("field", ""), error);
            case UNAUTHENTICATED -> new UnauthenticatedException(status.getCode(), reason, message, error);
            case PERMISSION_DENIED -> new PermissionDeniedException(status.getCode(), reason, message, error);
            case NOT_FOUND -> new NotFoundException(status.getCode(), reason, message, error);
            case ALREADY_EXISTS -> new AlreadyExistsException(status.getCode(), reason, message, error);
            case FAILED_PRECONDITION -> new FailedPreconditionException(status.getCode(), reason, message, error);
            default -> new ServiceFailureException(status.getCode(), reason, message, error);
        };
    }

    /** A failed TLS handshake anywhere in the chain: a trust or name problem, not an outage. */
    static boolean isTlsFailure(Throwable error) {
        for (Throwable cause = error; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            if (cause instanceof javax.net.ssl.SSLException || cause instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
    }

    /** What {@link ClientListener#onCall} reports for a failure. */
    static String outcome(Throwable failure) {
        Throwable error = unwrap(failure);
        if (error instanceof MisconfiguredException) {
            return ClientListener.MISCONFIGURED;
        } else if (error instanceof UnavailableException) {
            return ClientListener.UNAVAILABLE;
        } else if (error instanceof ThrottledException) {
            return ClientListener.THROTTLED;
        } else if (error instanceof InvalidArgumentException) {
            return ClientListener.INVALID_ARGUMENT;
        }
        return ClientListener.ERROR;
    }

    static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException) && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static Duration retryAfter(com.google.rpc.Status details) {
        RetryInfo retry = detail(details, RetryInfo.class);
        if (retry == null || !retry.hasRetryDelay()) {
            return DEFAULT_RETRY_AFTER;
        }
        return Duration.ofSeconds(retry.getRetryDelay().getSeconds(), retry.getRetryDelay().getNanos());
    }

    private static <T extends com.google.protobuf.Message> T detail(com.google.rpc.Status status, Class<T> type) {
        if (status == null) {
            return null;
        }
        for (Any any : status.getDetailsList()) {
            if (any.is(type)) {
                try {
                    return any.unpack(type);
                } catch (InvalidProtocolBufferException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
