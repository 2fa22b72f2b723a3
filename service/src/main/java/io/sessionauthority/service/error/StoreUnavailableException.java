package io.sessionauthority.service.error;

/**
 * The session store (Redis) could not answer in time: down, failing over, out of memory or
 * loading. The only outcome a caller should retry at once (a RetryLaterException says when).
 */
public final class StoreUnavailableException extends SessionAuthorityException {

    private final boolean writtenToMaster;

    public StoreUnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private StoreUnavailableException(String message, Throwable cause, boolean writtenToMaster) {
        super("STORE_UNAVAILABLE", message, cause);
        this.writtenToMaster = writtenToMaster;
    }

    /** A write that Redis's master applied but no replica confirmed in time (WAIT): retrying repeats it. */
    public static StoreUnavailableException notConfirmed(String message, Throwable cause) {
        return new StoreUnavailableException(message, cause, true);
    }

    /** Whether the write reached the master, and only its replication was not confirmed. */
    public boolean writtenToMaster() {
        return writtenToMaster;
    }
}
