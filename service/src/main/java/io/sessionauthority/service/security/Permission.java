package io.sessionauthority.service.security;

/**
 * What a caller may do, granted per RPC group. Least privilege: most services need only
 * {@link #VALIDATE}; the edge that logs users in needs {@link #LOGIN}; account tooling {@link #ADMIN}.
 */
public enum Permission {
    /** Validate and Touch: check and keep alive a session whose token the caller holds. */
    VALIDATE,
    /** Login, and Revoke by token (logout): act for a user who presents credentials or a token. */
    LOGIN,
    /** CreateUser, ListSessions, ChangePassword, and Revoke of any session by id or of all of a user's. */
    ADMIN
}
