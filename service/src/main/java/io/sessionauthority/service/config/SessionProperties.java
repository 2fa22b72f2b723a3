package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.sessionauthority.service.session.SessionLimit;
import io.sessionauthority.service.session.SessionPolicy;
import java.time.Duration;

/**
 * Session lifetimes and limits ({@code session-authority.sessions.*}); the rules, and the meaning of
 * each setting, are {@link SessionPolicy}'s.
 */
@ConfigurationProperties("session-authority.sessions")
public record SessionProperties(
        @Bindable(defaultValue = "30m") Duration idleTimeout,
        @Bindable(defaultValue = "12h") Duration absoluteTimeout,
        @Bindable(defaultValue = "100") int maxPerUser,
        @Bindable(defaultValue = "1h") Duration forgetAfter,
        @Bindable(defaultValue = "16") int maxAttributes,
        @Bindable(defaultValue = "256") int maxAttributeValue,
        @Bindable(defaultValue = "evict-least-recent") String limitPolicy,
        @Bindable(defaultValue = "30s") Duration rotationGrace,
        @Bindable(defaultValue = "0s") Duration rotateAfter) {

    /** The plain rules the domain gets; checks every value. */
    public SessionPolicy policy() {
        return new SessionPolicy(idleTimeout, absoluteTimeout, maxPerUser, forgetAfter, maxAttributes, maxAttributeValue,
                SessionLimit.Policy.named(limitPolicy)).withRotation(rotationGrace, rotateAfter);
    }
}
