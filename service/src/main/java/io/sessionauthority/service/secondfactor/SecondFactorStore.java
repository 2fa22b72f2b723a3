package io.sessionauthority.service.secondfactor;

import io.sessionauthority.service.session.SessionCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Where a user's second factor lives, beside the user; each method is one atomic step. */
public interface SecondFactorStore {

    /** A user's factor as stored: {@code active} false while enrolled but not confirmed. */
    record Stored(boolean active, String sealedSecret) {
        @Override
        public String toString() {
            return "Stored[active=" + active + ", secret=<sealed>]";
        }
    }

    /** The user's factor; empty when none is enrolled. */
    CompletionStage<Optional<Stored>> find(String userId);

    /** Stores a new, not yet confirmed secret; false (nothing written) when the user's factor is active. */
    CompletionStage<Boolean> enroll(String userId, String sealedSecret);

    /** Removes the user's factor; whether there was one. */
    CompletionStage<Boolean> disable(String userId);

    /** How the user proved the factor. */
    sealed interface Proof {
        /** A TOTP code of {@code step}: accepted once, and only after every step accepted before. */
        record Code(long step) implements Proof {
        }

        /** A recovery code, by its one-way id: accepted once. */
        record Recovery(String id) implements Proof {
        }

        /** The first code of a factor being confirmed, and the recovery codes' ids to keep. */
        record Confirmation(long step, List<String> recoveryIds) implements Proof {
        }
    }

    /** What a step-up found. */
    enum Outcome {
        /** The session is AAL2 now. */
        STEPPED_UP,
        /** A replayed or unknown code: nothing changed. */
        REFUSED,
        /** No factor in the state the proof needs (active, or enrolled for a confirmation). */
        NO_FACTOR,
        /** The session is not live (the check says why). */
        NOT_LIVE,
        /** The presented token was already replaced (by a Refresh, or a step-up other than this one): nothing changed. */
        NOT_CURRENT,
        /**
         * A retry of the step-up that replaced the presented token (same code, within the grace):
         * nothing changed, and the same new token is answered again.
         */
        IN_GRACE
    }

    /**
     * The presented token, replaced in the same step as the step-up by {@code next}; the presented
     * one is accepted until {@code graceEnd} (see SessionTokens).
     */
    record TokenReplacement(io.sessionauthority.service.session.SessionTokens.Reference presented,
                            io.sessionauthority.service.session.SessionTokens.Successor next, Instant graceEnd) {
    }

    /** @param ended the sessions a completed login ended past the user's limit (reason SESSION_LIMIT) */
    record StepUp(Outcome outcome, SessionCheck check, int recoveryCodesLeft, List<String> ended) {
        public StepUp(Outcome outcome, SessionCheck check, int recoveryCodesLeft) {
            this(outcome, check, recoveryCodesLeft, List.of());
        }
    }

    /**
     * Accepts {@code proof} and makes the session AAL2 (auth time {@code now}) in one step. The first
     * half of a login becomes a whole session: absolute expiry {@code absoluteExpiry}, idle expiry
     * {@code idleExpiry}, and takes its place among the user's sessions, ending the least recently
     * used past {@code maxPerUser}. {@code resealed} (empty for none) replaces the stored secret (a
     * key rotation). Refused (NO_FACTOR) unless the stored secret is still {@code checkedSecret}.
     * With a {@code replacement} (null: the token stays), the presented token must be the session's
     * current one (else NOT_CURRENT, nothing changed) and is replaced in the same step.
     */
    CompletionStage<StepUp> stepUp(String userId, String sessionId, Proof proof, String checkedSecret, String resealed, Instant now,
                                   Instant absoluteExpiry, Instant idleExpiry, int maxPerUser, Duration forgetAfter,
                                   TokenReplacement replacement);
}
