package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Second factors ({@code session-authority.second-factor.*}): the keys TOTP secrets are encrypted
 * under at rest (SecretBox).
 *
 * @param keys      {@code id:base64-of-32-bytes}, comma separated; keep a retired key listed until
 *                  every secret sealed under it was used once (and so resealed under the active key)
 * @param activeKey the id of the key new secrets are sealed under; empty: no key, and no enrolment
 */
@ConfigurationProperties("session-authority.second-factor")
public record SecondFactorProperties(
        @Bindable(defaultValue = "") String keys,
        @Bindable(defaultValue = "") String activeKey) {

    @Override
    public String toString() {
        return "SecondFactorProperties[activeKey=" + activeKey + ", keys=<redacted>]";
    }
}
