package io.sessionauthority.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a service needs of a session beyond being live (NIST SP 800-63B assurance levels, OpenID
 * Connect's max_age): {@code Assurance.aal2().within(Duration.ofMinutes(10))} for a payment.
 * A session that falls short answers {@link ValidationResult.Reason#STEP_UP_REQUIRED}: its user
 * steps up ({@link SessionAuthorityClient#stepUp}) rather than logs in again.
 */
public final class Assurance {

    private static final Assurance ANY = new Assurance(1, null);
    private static final Assurance AAL2 = new Assurance(2, null);

    private final int minLevel;
    private final Duration maxAge;

    private Assurance(int minLevel, Duration maxAge) {
        this.minLevel = minLevel;
        this.maxAge = maxAge;
    }

    /** Any live session. */
    public static Assurance any() {
        return ANY;
    }

    /** A session whose user used a second factor. */
    public static Assurance aal2() {
        return AAL2;
    }

    /** This, and authenticated at most {@code maxAge} ago. */
    public Assurance within(Duration maxAge) {
        if (Objects.requireNonNull(maxAge, "maxAge").isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive");
        }
        return new Assurance(minLevel, maxAge);
    }

    /** 1 or 2. */
    public int minLevel() {
        return minLevel;
    }

    /** The longest time since authentication accepted; null for any. */
    public Duration maxAge() {
        return maxAge;
    }

    /** Whether {@code session} meets this at {@code now}. */
    public boolean metBy(SessionInfo session, Instant now) {
        if (session.assuranceLevel() < minLevel) {
            return false;
        }
        return maxAge == null || !now.isAfter(session.authenticatedAt().plus(maxAge));
    }

    @Override
    public String toString() {
        return "aal" + minLevel + (maxAge == null ? "" : " within " + maxAge);
    }
}
