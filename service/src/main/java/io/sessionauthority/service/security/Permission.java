package io.sessionauthority.service.security;

/**
 * What a caller may do, granted per RPC group. Least privilege: most services need only
 * {@link #VALIDATE}; the edge that logs users in needs {@link #LOGIN} (and {@link #WRITE_ATTRIBUTES}
 * if it keeps state in sessions); account tooling {@link #ADMIN}. No permission implies another.
 */
public enum Permission {
    /**
     * Validate, Envoy's Check, WatchRevocations, and Touch without attribute changes: check a session
     * whose token the caller holds, and keep it alive. Never changes what other services trust.
     */
    VALIDATE,
    /**
     * Touch with attribute changes: write what every other service reads from the session (a role, a
     * tenant). Separate from VALIDATE so that a service that merely checks tokens, if compromised,
     * cannot raise a user's privileges as the others see them.
     */
    WRITE_ATTRIBUTES,
    /** Login (with initial attributes), and Revoke by token (logout): act for a user who presents credentials or a token. */
    LOGIN,
    /** CreateUser, ImportUsers, ListSessions, ChangePassword, and Revoke of any session by id or of all of a user's. */
    ADMIN
}
