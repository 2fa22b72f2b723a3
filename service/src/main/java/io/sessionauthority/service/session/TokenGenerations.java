package io.sessionauthority.service.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Objects;

/**
 * Which tokens of a session are accepted (see {@link SessionTokens}): the current generation, the
 * one it replaced until {@code graceEnd}, and, after two rotations in quick succession, the one
 * before that until its own grace ends. A session that was never rotated is {@link #ORIGINAL}: its
 * login's token is current.
 *
 * @param generation how many rotations the session has had
 * @param current    the current token's validator; empty for {@link #ORIGINAL}
 * @param issuedAt   when the current token was handed out; null for {@link #ORIGINAL} (the session's creation)
 * @param previous   the replaced token's validator; empty for {@link #ORIGINAL}
 * @param graceEnd   until when the replaced token is accepted; null for {@link #ORIGINAL}
 * @param nonce      what the current token was derived under from the replaced one; empty for {@link #ORIGINAL}
 * @param steppedUpFrom how the replaced token's holder had authenticated, when the session's
 *                   authentication rose since (a step-up replaced it, or a ConfirmTotp came within
 *                   its grace; null when neither did): within its grace it is still accepted, but
 *                   at that level, and its successor (a token of the higher level) is handed out
 *                   only again to a retry of that step-up, never to a Refresh
 * @param earlier    the token the previous one had replaced, when the last rotation came within
 *                   its grace (a Refresh then a StepUp, say): still accepted until its own grace
 *                   ends, never given a successor; null when there is none
 */
public record TokenGenerations(long generation, String current, Instant issuedAt, String previous, Instant graceEnd, String nonce,
                               Authentication steppedUpFrom, Replaced earlier) {

    public static final TokenGenerations ORIGINAL = new TokenGenerations(0, "", null, "", null, "", null, null);

    /**
     * A replaced token still accepted for a while.
     *
     * @param validator     its validator
     * @param graceEnd      until when it is accepted
     * @param steppedUpFrom how its holder had authenticated, when a step-up has raised the session
     *                      since; null when the session's own authentication is its holder's
     * @param nonce         what its successor was derived under, to derive it again for a racing
     *                      Refresh; empty when no successor is handed out for it
     */
    public record Replaced(String validator, Instant graceEnd, Authentication steppedUpFrom, String nonce) {
        public Replaced {
            Objects.requireNonNull(validator);
            Objects.requireNonNull(graceEnd);
            Objects.requireNonNull(nonce);
        }
    }

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
        return replacedInGrace(token, now) != null ? Verdict.IN_GRACE : Verdict.REPLACED;
    }

    /** The replaced token {@code token} is, while its grace lasts; null for any other token. */
    public Replaced replacedInGrace(SessionTokens.Reference token, Instant now) {
        if (generation > 0 && same(token.validator(), previous) && now.isBefore(graceEnd)) {
            // A copy of the token a step-up replaced gets no successor (a token of the higher level) by asking.
            return new Replaced(previous, graceEnd, steppedUpFrom, steppedUpFrom == null ? nonce : "");
        }
        if (earlier != null && same(token.validator(), earlier.validator()) && now.isBefore(earlier.graceEnd())) {
            return earlier;
        }
        return null;
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
