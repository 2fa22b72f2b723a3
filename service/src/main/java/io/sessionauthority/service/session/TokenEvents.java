package io.sessionauthority.service.session;

/** Told of the token rotations and reuses the sessions see: the audit trail listens. */
public interface TokenEvents {

    TokenEvents NONE = new TokenEvents() {
        @Override
        public void rotated(String userId, String sessionId, long generation) {
        }

        @Override
        public void reused(String userId, String sessionId, long generation) {
        }
    };

    /** The session's token was replaced by generation {@code generation}. */
    void rotated(String userId, String sessionId, long generation);

    /**
     * A token the session had replaced was presented after its grace, and the session ended;
     * {@code generation} is the one that was current.
     */
    void reused(String userId, String sessionId, long generation);
}
