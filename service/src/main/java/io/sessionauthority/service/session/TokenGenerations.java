package io.sessionauthority.service.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Objects;

/**
 * Which tokens of a session are accepted (see {@link SessionTokens}): the current generation, and
 * the one it replaced until {@code graceEnd}. A session that was never rotated is
 * {@link #ORIGINAL}: its login's token is current.
 *
 * @param generation how many rotations the session has had
 * @param current    the current token's validator; empty for {@link #ORIGINAL}
 * @param issuedAt   when the current token was handed out; null for {@link #ORIGINAL} (the session's creation)
 * @param previous   the replaced token's validator; empty for {@link #ORIGINAL}
 * @param graceEnd   until when the replaced token is accepted; null for {@link #ORIGINAL}
 * @param nonce      what the current token was derived under from the replaced one; empty for {@link #ORIGINAL}
 * @param steppedUpFrom how the replaced token's holder had authenticated, when a step-up replaced
 *                   it (null when a Refresh did): within its grace it is still accepted, but at
 *                   that level, and its successor (a token of the higher level) is handed out only
 *                   again to a retry of that step-up, never to a Refresh
 */
public record TokenGenerations(long generation, String current, Instant issuedAt, String previous, Instant graceEnd, String nonce,
                               Authentication steppedUpFrom) {

    public static final TokenGenerations ORIGINAL = new TokenGenerations(0, "", null, "", null, "", null);

    public TokenGenerations {
        Objects.requireNonNull(current);
        Objects.requireNonNull(previous);
        Objects.requireNonNull(nonce);
        if ((generation == 0) != (issuedAt == null) || (generation == 0) != (graceEnd == null)) {
            throw new IllegalArgumentException("a rotated session has its issue and grace times, and only a rotated one");
        }
    }

    /** What a presented token is to its session. */
    public enum Verdict {
        /** The current token. */
        CURRENT,
        /** The token the current one replaced, within its grace. */
        IN_GRACE,
        /** A token the session replaced, after its grace (or an older one): a copy was kept. */
        REPLACED
    }

    public Verdict judge(SessionTokens.Reference token, Instant now) {
        if (generation == 0 ? token.original() : same(token.validator(), current)) {
            return Verdict.CURRENT;
        }
        if (generation > 0 && same(token.validator(), previous) && now.isBefore(graceEnd)) {
            return Verdict.IN_GRACE;
        }
        return Verdict.REPLACED;
    }

    /** Whether a step-up, not a Refresh, replaced the previous token. */
    public boolean replacedByStepUp() {
        return steppedUpFrom != null;
    }

    /** When the current token was handed out: at the rotation, or the session's creation. */
    public Instant currentIssuedAt(Instant sessionCreated) {
        return generation == 0 ? sessionCreated : issuedAt;
    }

    /** Validators are one-way ids, but compared in constant time all the same: nothing about them is ever timed. */
    private static boolean same(String presented, String stored) {
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.US_ASCII), stored.getBytes(StandardCharsets.US_ASCII));
    }
}
