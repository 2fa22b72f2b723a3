package io.sessionauthority.service.grpc;

import io.sessionauthority.service.envoy.HeaderValue;
import io.sessionauthority.service.envoy.HeaderValueOption;
import io.sessionauthority.service.envoy.OkHttpResponse;
import io.sessionauthority.service.session.Session;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the app behind Envoy sees of an allowed request: who the user is ({@code x-user-id},
 * {@code x-session-id}, {@code x-username}, chosen attributes as {@code x-session-attr-<name>}),
 * always set by the authority over anything the client sent under those names, and never the token.
 *
 * <p>"Those names" include their underscore spellings ({@code x_user_id}, {@code x_session_attr_role}):
 * many app servers (CGI, WSGI, Rack, some Node and PHP stacks) read {@code X_USER_ID} and
 * {@code X-User-Id} as the same variable, so a client-sent {@code x_user_id} would reach the app as
 * the authority's. Envoy drops such headers itself when told to ({@code headers_with_underscores_action},
 * set in docker/envoy.yaml); removing them here covers a proxy that is not.
 */
final class UpstreamHeaders {

    static final String ATTRIBUTE_PREFIX = "x-session-attr-";
    private static final java.util.Set<String> IDENTITY_HEADERS = java.util.Set.of("x-user-id", "x-session-id", "x-username");

    private UpstreamHeaders() {
    }

    static OkHttpResponse allowed(Session session, Map<String, String> requestHeaders, List<String> forwardAttributes,
                                  String cookieName) {
        OkHttpResponse.Builder ok = OkHttpResponse.newBuilder()
                .addHeaders(set("x-user-id", session.userId()))
                .addHeaders(set("x-session-id", session.sessionId()))
                .addHeaders(set("x-username", session.username()));
        // Only the authority speaks under x-session-attr-* and the identity headers, in any spelling:
        // whatever the client sent there goes (the canonical identity headers are overwritten above).
        for (String header : requestHeaders.keySet()) {
            String lower = header.toLowerCase(Locale.ROOT);
            String normalized = lower.replace('_', '-');
            if (normalized.startsWith(ATTRIBUTE_PREFIX) || (!lower.equals(normalized) && IDENTITY_HEADERS.contains(normalized))) {
                ok.addHeadersToRemove(header);
            }
        }
        for (String name : forwardAttributes) {
            String value = session.attributes().get(name);
            if (value != null) {
                ok.addHeaders(set(ATTRIBUTE_PREFIX + name.toLowerCase(Locale.ROOT), value));
            }
        }
        // The token never travels upstream, whichever way it came: drop the session cookie and any bearer token.
        String cookie = requestHeaders.get("cookie");
        if (cookie != null && CookieHeader.value(cookie, cookieName).isPresent()) {
            String rest = CookieHeader.without(cookie, cookieName);
            if (rest.isEmpty()) {
                ok.addHeadersToRemove("cookie");
            } else {
                ok.addHeaders(set("cookie", rest));
            }
        }
        if (PresentedToken.isBearer(requestHeaders.get("authorization"))) {
            ok.addHeadersToRemove("authorization");
        }
        return ok.build();
    }

    /** A header added even when one of its name is there (Set-Cookie: one per cookie). */
    static HeaderValueOption add(String name, String value) {
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)
                .build();
    }

    static HeaderValueOption set(String name, String value) {
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
                .build();
    }
}
