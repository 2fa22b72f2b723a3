package io.sessionauthority.client;

import io.grpc.Status;

/**
 * Session Authority cannot be asked, and trying again will not help until someone changes the
 * configuration: the authority's TLS certificate is not trusted (wrong CA, wrong name), or the
 * authority does not recognize this client's credentials (API key, client certificate). It looks
 * like an outage from afar, but it is not one: it is logged (at most once a minute) and counted as
 * {@code misconfigured}, and never retried.
 */
public final class MisconfiguredException extends SessionAuthorityException {

    public MisconfiguredException(Status.Code code, String reason, String message, Throwable cause) {
        super(code, reason, message, cause);
    }
}
