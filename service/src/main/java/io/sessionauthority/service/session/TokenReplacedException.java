package io.sessionauthority.service.session;

/**
 * A Touch with a token its session replaced longer than the grace ago (or never issued): the store
 * wrote nothing, and the session service has it judged again, which ends the session (TOKEN_REUSE).
 * Never reaches a caller.
 */
public final class TokenReplacedException extends RuntimeException {

    public TokenReplacedException() {
        super("the token was replaced", null, false, false);
    }
}
