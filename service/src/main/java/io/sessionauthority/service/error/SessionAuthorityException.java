package io.sessionauthority.service.error;

/**
 * A failure the caller can act on. Each subclass is one named outcome; the gRPC layer maps each to
 * exactly one status in one place ({@code grpc.ErrorMapping}), so the domain never speaks gRPC.
 */
public abstract class SessionAuthorityException extends RuntimeException {

    private final String reason;

    protected SessionAuthorityException(String reason, String message) {
        this(reason, message, null);
    }

    protected SessionAuthorityException(String reason, String message, Throwable cause) {
        // No stack trace capture for expected outcomes: they are answers, not bugs.
        super(message, cause, false, false);
        this.reason = reason;
    }

    /** A stable UPPER_SNAKE_CASE word for machines (google.rpc.ErrorInfo reason). */
    public String reason() {
        return reason;
    }
}
