package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.sessionauthority.service.envoy.StatusCode;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Envoy ext_authz face ({@code session-authority.ext-authz.*}): how Envoy's Check finds the
 * token, what it passes upstream, and what it answers when it cannot check.
 *
 * @param cookieName           the cookie that holds the session token (checked after {@code Authorization: Bearer})
 * @param forwardAttributes    session attributes passed upstream as {@code x-session-attr-<name>} headers
 * @param unavailableHttpStatus the HTTP status of a denial while the session store is down (fail closed)
 * @param touchInterval        a request through Envoy slides the session's idle expiry when it was last
 *                             seen longer ago than this (0 turns it off: then the edge must call Touch)
 * @param cookieAttributes     the attributes of the {@code Set-Cookie} that hands a rotated token back to a
 *                             browser (when {@code session-authority.sessions.rotate-after} is set)
 * @param rotateBearerTokens   also rotate tokens that came in {@code Authorization: Bearer}, handing the new
 *                             one back in a {@code session-authority-token} response header: only for
 *                             clients that read it (one that does not ends its session at the grace's end)
 */
@ConfigurationProperties("session-authority.ext-authz")
public record ExtAuthzProperties(
        @Bindable(defaultValue = "session_id") String cookieName,
        @Bindable(defaultValue = "") List<String> forwardAttributes,
        @Bindable(defaultValue = "503") int unavailableHttpStatus,
        @Bindable(defaultValue = "60s") java.time.Duration touchInterval,
        @Bindable(defaultValue = "Path=/; Secure; HttpOnly; SameSite=Lax") String cookieAttributes,
        @Bindable(defaultValue = "false") boolean rotateBearerTokens) {

    public ExtAuthzProperties {
        // An empty list from the environment arrives as one empty name.
        forwardAttributes = forwardAttributes.stream().map(String::trim).filter(name -> !name.isEmpty()).toList();
        StatusCode status = StatusCode.forNumber(unavailableHttpStatus);
        if (status == null || status == StatusCode.Empty) {
            // Said at startup rather than answered as 503 at the first outage, when nobody is watching.
            throw new IllegalArgumentException("session-authority.ext-authz.unavailable-http-status must be one of "
                    + Arrays.stream(StatusCode.values()).filter(code -> code != StatusCode.Empty && code != StatusCode.UNRECOGNIZED)
                    .map(code -> Integer.toString(code.getNumber())).collect(Collectors.joining(", ")) + "; was " + unavailableHttpStatus);
        }
    }
}
