package io.sessionauthority.service.grpc;

import io.sessionauthority.service.error.Failures;
import com.google.rpc.Code;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.StoreUnavailableException;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.service.session.SessionService;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Envoy's external authorization ({@code envoy.service.auth.v3.Authorization/Check}): Envoy asks
 * before every request it forwards. The token comes from {@code Authorization: Bearer} or the
 * session cookie; a live session lets the request through with {@code x-user-id},
 * {@code x-session-id}, {@code x-username} and chosen attributes set (overwriting anything the
 * client sent under those names) and the token removed, so the upstream app never sees it. Anything
 * else is denied with 401 and a small JSON body; while the store is down, with the configured
 * fail-closed status (503 by default).
 */
@Singleton
public class EnvoyAuthorizationEndpoint extends AuthorizationGrpc.AuthorizationImplBase {

    static final String ATTRIBUTE_HEADER_PREFIX = "x-session-attr-";

    private static final Logger LOG = LoggerFactory.getLogger(EnvoyAuthorizationEndpoint.class);

    private final SessionService sessions;
    private final ExtAuthzProperties properties;
    private final Clock clock;

    public EnvoyAuthorizationEndpoint(SessionService sessions, ExtAuthzProperties properties, Clock clock) {
        this.sessions = sessions;
        this.properties = properties;
        this.clock = clock;
    }

    private record Presented(String token, boolean fromCookie) {
    }

    @Override
    public void check(CheckRequest request, StreamObserver<CheckResponse> observer) {
        Map<String, String> headers = request.getAttributes().getRequest().getHttp().getHeadersMap();
        Optional<Presented> presented = token(headers);
        CompletionStage<CheckResponse> answer = presented.isEmpty()
                ? CompletableFuture.completedFuture(denied(StatusCode.Unauthorized, Code.UNAUTHENTICATED, "missing_token"))
                : decide(presented.get(), headers);
        Replies.reply("Check", observer, () -> answer);
    }

    private CompletionStage<CheckResponse> decide(Presented presented, Map<String, String> headers) {
        CompletionStage<SessionCheck> check;
        try {
            check = sessions.validate(presented.token());
        } catch (InvalidArgumentException malformed) {
            return CompletableFuture.completedFuture(denied(StatusCode.Unauthorized, Code.UNAUTHENTICATED, "malformed_token"));
        }
        return check.handle((result, error) -> {
            if (error != null) {
                Throwable cause = Failures.unwrap(error);
                if (cause instanceof StoreUnavailableException) {
                    return denied(unavailableStatus(), Code.UNAVAILABLE, "unavailable");
                }
                throw new java.util.concurrent.CompletionException(cause);
            }
            if (!result.isLive()) {
                return denied(StatusCode.Unauthorized, Code.UNAUTHENTICATED, result.status().name().toLowerCase(Locale.ROOT));
            }
            keepAlive(presented.token(), result.session());
            return allowed(result.session(), presented, headers);
        });
    }

    /**
     * Apps behind Envoy never see the token, so they cannot Touch: a request through Envoy is the
     * activity. Sliding the idle expiry on every request would turn every read into a write, so it
     * happens at most once per {@code touch-interval}, after the answer (never delaying it).
     */
    private void keepAlive(String token, Session session) {
        Duration interval = properties.touchInterval();
        if (interval.isZero() || clock.instant().isBefore(session.lastSeenTime().plus(interval))) {
            return;
        }
        try {
            sessions.touch(token, Map.of(), List.of()).whenComplete((touched, error) -> {
                if (error != null) {
                    LOG.debug("ext_authz keep-alive of session {} deferred: {}", session.sessionId(), error.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("ext_authz keep-alive of session {} skipped: {}", session.sessionId(), e.toString());
        }
    }

    private CheckResponse allowed(Session session, Presented presented, Map<String, String> headers) {
        OkHttpResponse.Builder ok = OkHttpResponse.newBuilder()
                .addHeaders(set("x-user-id", session.userId()))
                .addHeaders(set("x-session-id", session.sessionId()))
                .addHeaders(set("x-username", session.username()));
        // Only the authority speaks under x-session-attr-*: whatever the client sent there goes.
        for (String header : headers.keySet()) {
            if (header.toLowerCase(Locale.ROOT).startsWith(ATTRIBUTE_HEADER_PREFIX)) {
                ok.addHeadersToRemove(header);
            }
        }
        for (String name : properties.forwardAttributes()) {
            String value = session.attributes().get(name);
            if (value != null) {
                ok.addHeaders(set(ATTRIBUTE_HEADER_PREFIX + name.toLowerCase(Locale.ROOT), value));
            }
        }
        // The token never travels upstream, whichever way it came: drop the session cookie and any bearer token.
        String cookie = headers.get("cookie");
        if (cookie != null && CookieHeader.value(cookie, properties.cookieName()).isPresent()) {
            String rest = CookieHeader.without(cookie, properties.cookieName());
            if (rest.isEmpty()) {
                ok.addHeadersToRemove("cookie");
            } else {
                ok.addHeaders(set("cookie", rest));
            }
        }
        String authorization = headers.get("authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ok.addHeadersToRemove("authorization");
        }
        return CheckResponse.newBuilder()
                .setStatus(com.google.rpc.Status.newBuilder().setCode(Code.OK_VALUE))
                .setOkResponse(ok)
                .build();
    }

    private Optional<Presented> token(Map<String, String> headers) {
        String authorization = headers.get("authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(new Presented(authorization.substring(7).trim(), false));
        }
        return CookieHeader.value(headers.get("cookie"), properties.cookieName()).map(token -> new Presented(token, true));
    }

    private StatusCode unavailableStatus() {
        StatusCode code = StatusCode.forNumber(properties.unavailableHttpStatus());
        return code == null ? StatusCode.ServiceUnavailable : code;
    }

    private static CheckResponse denied(StatusCode http, Code code, String reason) {
        return CheckResponse.newBuilder()
                .setStatus(com.google.rpc.Status.newBuilder().setCode(code.getNumber()))
                .setDeniedResponse(DeniedHttpResponse.newBuilder()
                        .setStatus(HttpStatus.newBuilder().setCode(http))
                        .addHeaders(set("content-type", "application/json"))
                        .setBody("{\"error\":\"" + (code == Code.UNAVAILABLE ? "unavailable" : "unauthenticated")
                                + "\",\"reason\":\"" + reason + "\"}"))
                .build();
    }

    private static HeaderValueOption set(String name, String value) {
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
                .build();
    }
}
