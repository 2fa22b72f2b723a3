package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.sessionauthority.service.throttle.AddressRanges;
import io.sessionauthority.service.throttle.ThrottlePolicy;
import java.time.Duration;
import java.util.List;

/**
 * Brute-force protection for every password check ({@code session-authority.login-throttle.*});
 * the rules are {@link ThrottlePolicy}'s, and so are the meanings of these settings.
 */
@ConfigurationProperties("session-authority.login-throttle")
public record ThrottleProperties(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "30") int maxFailures,
        @Bindable(defaultValue = "100") int maxFailuresPerUser,
        @Bindable(defaultValue = "10") int maxFailuresPerDevice,
        @Bindable(defaultValue = "60s") Duration lockoutStep,
        @Bindable(defaultValue = "15m") Duration maxLockout,
        @Bindable(defaultValue = "15m") Duration failureWindow,
        @Bindable(defaultValue = "90d") Duration deviceLifetime,
        @Bindable(defaultValue = "20") int maxDevicesPerUser,
        @Bindable(defaultValue = "100") int maxFailuresPerUserPerDay,
        @Bindable(defaultValue = "100.64.0.0/10") List<String> sharedAddressRanges) {

    /** The plain rules the domain gets; checks every value. */
    public ThrottlePolicy policy() {
        return new ThrottlePolicy(enabled, maxFailures, maxFailuresPerUser, maxFailuresPerDevice, lockoutStep, maxLockout,
                failureWindow, deviceLifetime, maxDevicesPerUser, maxFailuresPerUserPerDay,
                AddressRanges.parse("session-authority.login-throttle.shared-address-ranges",
                        sharedAddressRanges == null ? List.of() : sharedAddressRanges));
    }
}
