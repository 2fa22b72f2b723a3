package io.sessionauthority.service.session;

import io.sessionauthority.service.revocation.EndReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Where sessions live. Every method is one atomic step in the store: no caller ever sees half a
 * session, and nothing recreates a session that ended.
 */
public interface SessionStore {

    /**
     * Stores a new session, provided the user's password hash is still {@code verifiedPasswordHash}
     * (the one the login was checked against): fails with InvalidCredentialsException when the
     * password changed meanwhile, NotFoundException when the user does not exist. Completes with the
     * ids of the sessions it evicted past the per-user limit, least recently used first.
     */
    default CompletionStage<List<String>> create(Session session, String verifiedPasswordHash, int maxPerUser, Duration forgetAfter) {
        return create(session, verifiedPasswordHash, new SessionLimit(SessionLimit.Policy.EVICT_LEAST_RECENT, maxPerUser, "", "", ""),
                forgetAfter);
    }

    /**
     * As the overload with a plain limit, under {@code limit}'s policy. The ids it completes with are
     * every session this login ended (reason SESSION_LIMIT): evicted, replaced on their device, or
     * named by {@link SessionLimit#replaceSessionId()}. Under DENY_NEW, when the user already has
     * {@link SessionLimit#maxSessions()} live sessions (the one to replace not counted), nothing is
     * written and it fails with a {@link SessionLimitReachedException} (without the sessions).
     */
    CompletionStage<List<String>> create(Session session, String verifiedPasswordHash, SessionLimit limit, Duration forgetAfter);

    /**
     * Reads a session without changing anything. A session that ended more than {@code forgetAfter}
     * ago reads as unknown.
     */
    CompletionStage<SessionCheck> find(String userId, String sessionId, Instant now, Duration forgetAfter);

    /**
     * Extends a live session's idle expiry to {@code now + idleTimeout} (never past its absolute
     * expiry), records {@code now} as last seen and applies attribute changes; does nothing to a
     * session that is not live.
     */
    CompletionStage<SessionCheck> touch(String userId, String sessionId, Instant now, Duration idleTimeout,
                                        Map<String, String> setAttributes, Collection<String> removeAttributes,
                                        int maxAttributes, Duration forgetAfter);

    /**
     * As {@link #touch(String, String, Instant, Duration, Map, Collection, int, Duration)}, writing
     * nothing unless {@code presented} is the session's current token or the one it replaced within
     * its grace: fails with {@link TokenReplacedException} otherwise.
     */
    CompletionStage<SessionCheck> touch(String userId, String sessionId, SessionTokens.Reference presented, Instant now,
                                        Duration idleTimeout, Map<String, String> setAttributes, Collection<String> removeAttributes,
                                        int maxAttributes, Duration forgetAfter);

    /**
     * Judges {@code presented} against its live session's token generations and, given
     * {@code next}, makes {@code next} the current token when {@code presented} is (the presented
     * one accepted until {@code graceEnd}). A replaced token presented after its grace ends the
     * session for TOKEN_REUSE. One atomic step.
     *
     * @param next null to judge only
     */
    CompletionStage<Rotation> rotate(String userId, SessionTokens.Reference presented, SessionTokens.Successor next, Instant now,
                                     Instant graceEnd, Duration forgetAfter);

    /** What a rotation (or a judgement) found, and the session after it. */
    record Rotation(Outcome outcome, SessionCheck check, long generation) {
        public Rotation(Outcome outcome, SessionCheck check) {
            this(outcome, check, check.isLive() ? check.session().tokens().generation() : -1);
        }

        public enum Outcome {
            /** The presented token was current and is replaced now. */
            ROTATED,
            /** The presented token is current (a judgement only). */
            CURRENT,
            /** The presented token was replaced less than its grace ago: nothing changed. */
            IN_GRACE,
            /** The presented token was replaced longer than its grace ago: the session ended now. */
            REUSED,
            /** The session was not live (the check says why): nothing changed. */
            NOT_LIVE
        }
    }

    /**
     * Ends one session for {@code reason}; answers how many live sessions ended (0 or 1), and, when
     * none did, whether the session had ended within {@code recent} (a retried revoke whose first
     * try ended it).
     */
    CompletionStage<Revoked> revoke(String userId, String sessionId, EndReason reason, Instant now, Duration forgetAfter,
                                    Duration recent);

    /** What a revoke of one session found: sessions it ended, and whether the session had ended just before. */
    record Revoked(int ended, boolean endedRecently) {
    }

    /**
     * Ends every session of a user but {@code exceptSessionId} (empty for none) and starts a new
     * generation of the user's sessions, so a session hash restored from an older copy of the data
     * still reads as revoked (for {@code reason}), and forgets every known device of the user but
     * {@code keepDeviceId} (empty for none). Fails with NotFoundException when the user does not exist.
     */
    CompletionStage<Integer> revokeAll(String userId, String exceptSessionId, String keepDeviceId, EndReason reason, Instant now,
                                       Duration forgetAfter);

    /** The user's live sessions; fails with NotFoundException when the user does not exist. */
    CompletionStage<List<Session>> list(String userId, Instant now, Duration forgetAfter);
}
