package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The service's own cache of live Validate answers ({@code session-authority.validation-cache.*}),
 * kept exact by the revocation stream (see session.HotSessions).
 *
 * @param maxEntries answers kept at most, roughly 1 KiB of heap each, so the default fits the
 *                   image's 64 MiB heap (0 turns the cache off: every Validate asks Redis)
 * @param maxAge      how long one answer is reused at most (never past the session's expiry)
 * @param outageGrace while Redis cannot be asked, how long after this replica last read the
 *                    revocation log its kept answers still serve Validate (0 turns it off); covers a
 *                    Sentinel or Cluster failover (2.5–3 s measured). See session.HotSessions.
 */
@ConfigurationProperties("session-authority.validation-cache")
public record ValidationCacheProperties(
        @Bindable(defaultValue = "10000") int maxEntries,
        @Bindable(defaultValue = "5m") Duration maxAge,
        @Bindable(defaultValue = "5s") Duration outageGrace) {
}
