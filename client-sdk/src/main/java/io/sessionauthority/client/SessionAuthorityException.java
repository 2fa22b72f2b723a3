package io.sessionauthority.client;

import io.grpc.Status;

/**
 * A call to Session Authority failed. Subclasses name the outcomes a caller handles differently;
 * {@link #isRetryable()} says whether trying again later can help.
 *
 * <pre>
 * SessionAuthorityException
 * ├── UnavailableException        UNAVAILABLE, DEADLINE_EXCEEDED: retryable
 * ├── ThrottledException          RESOURCE_EXHAUSTED: retryable after {@link ThrottledException#retryAfter()}
 * ├── InvalidArgumentException    INVALID_ARGUMENT: fix the request
 * ├── UnauthenticatedException    UNAUTHENTICATED: wrong credentials (or this caller is not known)
 * ├── PermissionDeniedException   PERMISSION_DENIED: this caller may not make this call
 * ├── NotFoundException           NOT_FOUND
 * ├── AlreadyExistsException      ALREADY_EXISTS
 * ├── SessionLimitReachedException FAILED_PRECONDITION: a login refused at its user's session limit
 * └── ServiceFailureException     anything else (INTERNAL, ABORTED, …)
 * </pre>
 */
public abstract class SessionAuthorityException extends RuntimeException {

    private final Status.Code code;
    private final String reason;

    protected SessionAuthorityException(Status.Code code, String reason, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.reason = reason;
    }

    /** The gRPC status code the service (or the channel) answered. */
    public Status.Code code() {
        return code;
    }

    /**
     * The machine-readable reason from the answer's google.rpc.ErrorInfo, such as
     * {@code INVALID_CREDENTIALS}; empty when the answer carried none.
     */
    public String reason() {
        return reason;
    }

    /** Whether the same call may succeed if tried again later. */
    public boolean isRetryable() {
        return false;
    }

    /**
     * The {@code Retry-After} an HTTP front answers its client with when this failure kept it from
     * checking a session: whole seconds, at least 1 (Retry-After has no finer unit, and 0 would
     * invite a stampede).
     */
    public long retryAfterSeconds() {
        return 1;
    }
}
