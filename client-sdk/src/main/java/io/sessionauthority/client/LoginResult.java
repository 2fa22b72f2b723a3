package io.sessionauthority.client;

import io.sessionauthority.v1.LoginResponse;
import java.util.Objects;

/**
 * A successful login: the new session's token (the caller's secret, to hand to the end user) and
 * the session it names. {@link #proto()} returns the authority's {@code LoginResponse} itself.
 */
public final class LoginResult {

    private final LoginResponse proto;
    private final SessionInfo session;

    private LoginResult(LoginResponse proto) {
        this.proto = proto;
        this.session = SessionInfo.of(proto.getSession());
    }

    /** A view of the authority's message. */
    public static LoginResult of(LoginResponse proto) {
        return new LoginResult(Objects.requireNonNull(proto, "proto"));
    }

    /** The session token: a secret, shown to the end user's client and to no log. */
    public String token() {
        return proto.getToken();
    }

    /** The session the token names. */
    public SessionInfo session() {
        return session;
    }

    /**
     * The token to present at this device's next login: kept like a device cookie (HttpOnly, Secure,
     * long-lived), replaced at every login, never logged. It keeps the device's failed-login budget
     * apart from failures elsewhere, and proves nothing on its own.
     */
    public String deviceToken() {
        return proto.getDeviceToken();
    }

    /**
     * The user has a second factor: this login is only its first half. Its token is accepted by no
     * Validate until {@link SessionAuthorityClient#stepUp} with the user's code completes it (within
     * five minutes).
     */
    public boolean secondFactorRequired() {
        return proto.getSecondFactorRequired();
    }

    /** The authority's message itself. */
    public LoginResponse proto() {
        return proto;
    }

    /** Never the token. */
    @Override
    public String toString() {
        return "LoginResult[" + session + "]";
    }
}
