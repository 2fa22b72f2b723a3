package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Brute-force protection for Login ({@code session-authority.login-throttle.*}). Failures are
 * counted in Redis, so every replica sees them, per client address, per username on that address,
 * and per username overall (a higher bar, against guessing spread over many addresses).
 *
 * @param enabled             whether Login is throttled at all
 * @param maxFailures         failures from one address, or for one username on one address, before a lockout
 * @param maxFailuresPerUser  failures for one username from all addresses together before a lockout
 * @param lockoutStep         the first lockout; each further failure adds as much again
 * @param maxLockout          the longest lockout
 * @param failureWindow       failures are forgotten after this long without a new one
 */
@ConfigurationProperties("session-authority.login-throttle")
public record ThrottleProperties(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "30") int maxFailures,
        @Bindable(defaultValue = "100") int maxFailuresPerUser,
        @Bindable(defaultValue = "60s") Duration lockoutStep,
        @Bindable(defaultValue = "15m") Duration maxLockout,
        @Bindable(defaultValue = "15m") Duration failureWindow) {

    public ThrottleProperties {
        if (maxFailures < 1 || maxFailuresPerUser < 1) {
            throw new IllegalArgumentException("session-authority.login-throttle: max-failures must be positive");
        }
        if (lockoutStep.isNegative() || lockoutStep.isZero() || maxLockout.compareTo(lockoutStep) < 0) {
            throw new IllegalArgumentException("session-authority.login-throttle: need 0 < lockout-step <= max-lockout");
        }
    }
}
