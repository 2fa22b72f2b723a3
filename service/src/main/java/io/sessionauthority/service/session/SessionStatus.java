package io.sessionauthority.service.session;

/** What a token's session is, as far as the store can tell. */
public enum SessionStatus {
    /** Live: before its idle and absolute expiry, not revoked. */
    LIVE,
    /** Never existed, or ended longer ago than the store remembers. */
    UNKNOWN,
    /** Ended by its idle or absolute expiry. */
    EXPIRED,
    /** Ended by a revoke, a password change or eviction by a newer login past the per-user cap. */
    REVOKED,
    /**
     * Live, but authenticated less strongly or longer ago than the caller asked, or a login awaiting
     * its second factor: a step-up is needed.
     */
    STEP_UP_REQUIRED
}
