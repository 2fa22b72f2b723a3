package io.sessionauthority.service.error;

/**
 * The session store (Redis) could not answer in time: down, failing over, out of memory or
 * loading. The only outcome a caller should retry at once (a RetryLaterException says when).
 */
public final class StoreUnavailableException extends SessionAuthorityException {

    public StoreUnavailableException(String message, Throwable cause) {
        super("STORE_UNAVAILABLE", message, cause);
    }
}
