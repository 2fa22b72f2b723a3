package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Each caller's share of what callers share ({@code session-authority.quotas.*}); see
 * {@link io.sessionauthority.service.admission}. A caller is a configured identity; unauthenticated
 * callers (health is open to all; everyone, when caller authentication is off) are one caller
 * together, and are told apart by address.
 *
 * @param streamsPerCaller   one caller's share of each streaming method's streams
 *                           ({@code session-authority.grpc.max-open-streams}, 1,000, for all
 *                           callers together); a caller's own {@code max-open-streams} overrides it
 *                           (a large fleet sharing one identity, each pod holding a stream)
 * @param streamsPerAddress  one caller's share from one address
 * @param logWritesPerSecond calls that write to the shared logs (Login, CreateUser, Revoke,
 *                           ChangePassword: the audit trail and the revocation stream every cache
 *                           follows) one caller may make a second, on average, on one replica
 * @param logWriteBurst      how many of them it may make at once
 */
@ConfigurationProperties("session-authority.quotas")
public record QuotaProperties(
        @Bindable(defaultValue = "500") int streamsPerCaller,
        @Bindable(defaultValue = "16") int streamsPerAddress,
        @Bindable(defaultValue = "1000") int logWritesPerSecond,
        @Bindable(defaultValue = "2000") int logWriteBurst) {

    public QuotaProperties {
        if (streamsPerCaller < 1 || streamsPerAddress < 1 || logWritesPerSecond < 1 || logWriteBurst < 1) {
            throw new IllegalArgumentException("session-authority.quotas.* must all be at least 1");
        }
    }
}
