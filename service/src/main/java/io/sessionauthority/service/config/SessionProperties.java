package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Session lifetimes and limits ({@code session-authority.sessions.*}).
 *
 * @param idleTimeout       how long a session lives without a Touch (OWASP: 15 to 30 minutes)
 * @param absoluteTimeout   how long a session lives at most, touched or not
 * @param maxPerUser        live sessions per user; a login beyond it ends the least recently used one
 * @param forgetAfter       how long an ended session is remembered, so Validate can answer EXPIRED or
 *                          REVOKED instead of UNKNOWN
 * @param maxAttributes     attributes per session
 * @param maxAttributeValue characters per attribute value
 */
@ConfigurationProperties("session-authority.sessions")
public record SessionProperties(
        @Bindable(defaultValue = "30m") Duration idleTimeout,
        @Bindable(defaultValue = "12h") Duration absoluteTimeout,
        @Bindable(defaultValue = "100") int maxPerUser,
        @Bindable(defaultValue = "1h") Duration forgetAfter,
        @Bindable(defaultValue = "16") int maxAttributes,
        @Bindable(defaultValue = "256") int maxAttributeValue) {

    public SessionProperties {
        requirePositive("idle-timeout", idleTimeout);
        requirePositive("absolute-timeout", absoluteTimeout);
        requirePositive("forget-after", forgetAfter);
        if (idleTimeout.compareTo(absoluteTimeout) > 0) {
            throw new IllegalArgumentException("session-authority.sessions.idle-timeout (" + idleTimeout
                    + ") must not exceed absolute-timeout (" + absoluteTimeout + ")");
        }
        if (maxPerUser < 1 || maxAttributes < 0 || maxAttributeValue < 1) {
            throw new IllegalArgumentException(
                    "session-authority.sessions: max-per-user and max-attribute-value must be positive, max-attributes not negative");
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("session-authority.sessions." + name + " must be a positive duration");
        }
    }
}
