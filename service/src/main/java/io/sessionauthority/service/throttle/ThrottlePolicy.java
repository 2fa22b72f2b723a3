package io.sessionauthority.service.throttle;

import java.time.Duration;

/**
 * How password guessing is slowed: plain values, so the rules are tested without any framework.
 *
 * @param enabled              whether password checks are throttled at all
 * @param maxFailures          failures from one address, or for one username on one address, before a lockout
 * @param maxFailuresPerUser   failures for one username from unknown devices everywhere before a lockout
 * @param maxFailuresPerDevice failures from one known device (a valid device token) before that device is locked
 * @param lockoutStep          the first lockout; each further failure adds as much again
 * @param maxLockout           the longest lockout
 * @param failureWindow        failures are forgotten after this long without a new one
 * @param deviceLifetime       how long a device stays known after its last successful login
 * @param maxDevicesPerUser    known devices per user; a new one beyond it forgets the oldest
 * @param maxFailuresPerUserPerDay failures for one username from unknown devices within a day (a counter no
 *                             lock's end and no success from an unknown device resets) before unknown
 *                             devices are locked out of it for a day (NIST SP 800-63B §5.2.2: at most
 *                             100 consecutive failures)
 * @param sharedAddresses      ranges whose one address stands for many people (carrier-grade NAT, a
 *                             corporate egress): no per-address counter there, only the per-username ones
 */
public record ThrottlePolicy(
        boolean enabled,
        int maxFailures,
        int maxFailuresPerUser,
        int maxFailuresPerDevice,
        Duration lockoutStep,
        Duration maxLockout,
        Duration failureWindow,
        Duration deviceLifetime,
        int maxDevicesPerUser,
        int maxFailuresPerUserPerDay,
        AddressRanges sharedAddresses) {

    /**
     * Known devices are fields of the user's hash, beside a dozen of the user's own and its session
     * index: past 128 fields Redis gives up the hash's compact encoding for good, for that user.
     */
    public static final int MAX_DEVICES_PER_USER = 100;

    public ThrottlePolicy {
        if (maxFailures < 1 || maxFailuresPerUser < 1 || maxFailuresPerDevice < 1 || maxFailuresPerUserPerDay < 1) {
            throw new IllegalArgumentException("login-throttle: every max-failures setting must be positive");
        }
        if (lockoutStep.isNegative() || lockoutStep.isZero() || maxLockout.compareTo(lockoutStep) < 0) {
            throw new IllegalArgumentException("login-throttle: need 0 < lockout-step <= max-lockout");
        }
        if (failureWindow.isNegative() || failureWindow.isZero() || deviceLifetime.isNegative() || deviceLifetime.isZero()) {
            throw new IllegalArgumentException("login-throttle: failure-window and device-lifetime must be positive");
        }
        if (maxDevicesPerUser < 1 || maxDevicesPerUser > MAX_DEVICES_PER_USER) {
            throw new IllegalArgumentException("login-throttle: max-devices-per-user must be between 1 and " + MAX_DEVICES_PER_USER);
        }
    }
}
