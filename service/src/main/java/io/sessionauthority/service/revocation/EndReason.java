package io.sessionauthority.service.revocation;

/** Why a session ended. The codes are stored in Redis (stream entries): never renumber them. */
public enum EndReason {
    /** Revoked with its own token: the holder logged out. */
    LOGOUT("l"),
    /** Revoked by user id and session id: an administrator, or the user's device list. */
    ADMIN_REVOKE("a"),
    /** Every session of the user ended (but possibly one). */
    REVOKE_ALL("r"),
    /** The user's password changed, which ends their other sessions. */
    PASSWORD_CHANGE("p"),
    /** Evicted by a newer login past the per-user session limit. */
    SESSION_LIMIT("n"),
    /** Not used for longer than the idle timeout. */
    IDLE_EXPIRY("i"),
    /** Reached its absolute lifetime. */
    ABSOLUTE_EXPIRY("x"),
    /** A token the session had replaced (rotation) was presented after its grace: a copy was kept. */
    TOKEN_REUSE("u"),
    /**
     * Not an end: the session's token was rotated. Appended to the revocation log all the same, so
     * every cache forgets what it kept for the session's replaced token; streamed as a SessionUpdate.
     */
    TOKEN_ROTATED("t"),
    /** Not an end: the session stepped up (a second factor, a fresh authentication); streamed as a SessionUpdate. */
    STEPPED_UP("s");

    private final String code;

    EndReason(String code) {
        this.code = code;
    }

    /** Whether an event of this reason ends its sessions (all do, but a rotation). */
    public boolean endsSessions() {
        return this != TOKEN_ROTATED && this != STEPPED_UP;
    }

    public String code() {
        return code;
    }

    /** The reason stored as {@code code}, or empty for an unknown code (a newer version wrote it). */
    public static java.util.Optional<EndReason> ofCode(String code) {
        for (EndReason reason : values()) {
            if (reason.code.equals(code)) {
                return java.util.Optional.of(reason);
            }
        }
        return java.util.Optional.empty();
    }
}
