package io.sessionauthority.service.session;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * How strongly, and when, a session's user was last authenticated (NIST SP 800-63B assurance
 * levels; OpenID Connect's auth_time and amr).
 *
 * @param time    when: the login, or the latest step-up; null for {@link #PASSWORD_AT_LOGIN}, which is the session's creation
 * @param methods RFC 8176 method references: {@code pwd}, then {@code otp}
 * @param level   {@link #PENDING} (a login awaiting its second factor), 1 or 2
 */
public record Authentication(Instant time, List<String> methods, int level) {

    /** A login that awaits its second factor: no Validate accepts the session yet. */
    public static final int PENDING = 0;
    public static final int AAL1 = 1;
    public static final int AAL2 = 2;
    public static final String PASSWORD = "pwd";
    public static final String ONE_TIME_CODE = "otp";

    /** What every session stored before assurance levels, and every password-only login, has. */
    public static final Authentication PASSWORD_AT_LOGIN = new Authentication(null, List.of(PASSWORD), AAL1);

    public Authentication {
        methods = List.copyOf(methods);
        if (level < PENDING || level > AAL2) {
            throw new IllegalArgumentException("assurance level " + level + " is not 0, 1 or 2");
        }
    }

    /** A login with a password whose user has a second factor: the first half. */
    public static Authentication awaitingSecondFactor(Instant time) {
        return new Authentication(Objects.requireNonNull(time), List.of(PASSWORD), PENDING);
    }

    /** Password and a one-time code, at {@code time}. */
    public static Authentication withSecondFactor(Instant time) {
        return new Authentication(Objects.requireNonNull(time), List.of(PASSWORD, ONE_TIME_CODE), AAL2);
    }

    /** When the user last authenticated: {@link #time()}, or the session's creation. */
    public Instant timeOr(Instant sessionCreated) {
        return time == null ? sessionCreated : time;
    }

    public boolean pending() {
        return level == PENDING;
    }
}
