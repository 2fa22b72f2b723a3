package io.sessionauthority.service.grpc;

import com.google.rpc.Code;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.service.config.ExtAuthzProperties;
import io.sessionauthority.service.envoy.AuthorizationGrpc;
import io.sessionauthority.service.envoy.CheckRequest;
import io.sessionauthority.service.envoy.CheckResponse;
import io.sessionauthority.service.envoy.OkHttpResponse;
import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.StoreUnavailableException;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.Requirement;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Envoy's external authorization ({@code envoy.service.auth.v3.Authorization/Check}): Envoy asks
 * before every request it forwards. The token is found by {@link PresentedToken}; a live session
 * passes with the headers of {@link UpstreamHeaders} and counts as activity (the session slides,
 * at most once per touch interval); anything else is denied ({@link ExtAuthzDenials}): 401, or the
 * configured fail-closed status while the store is down.
 */
@Singleton
public class EnvoyAuthorizationEndpoint extends AuthorizationGrpc.AuthorizationImplBase {

    /** Where a bearer client finds its rotated token (a browser gets a Set-Cookie instead). */
    static final String ROTATED_TOKEN_HEADER = "session-authority-token";

    private final SessionService sessions;
    private final ExtAuthzProperties properties;
    private final Replies replies;

    public EnvoyAuthorizationEndpoint(SessionService sessions, ExtAuthzProperties properties, Replies replies) {
        this.replies = replies;
        this.sessions = sessions;
        this.properties = properties;
    }

    @Override
    public void check(CheckRequest request, StreamObserver<CheckResponse> observer) {
        replies.reply("Check", observer, () -> {
            Requirement requirement;
            try {
                requirement = routeRequirement(request.getAttributes().getContextExtensionsMap());
            } catch (InvalidArgumentException misconfigured) {
                // A route whose needs cannot be read is denied, whatever Envoy's failure_mode_allow says.
                return CompletableFuture.completedFuture(ExtAuthzDenials.routeMisconfigured());
            }
            return decide(request.getAttributes().getRequest().getHttp().getHeadersMap(), requirement);
        });
    }

    /**
     * What the route needs, from its context extensions ({@code min_aal: "2"}, {@code max_auth_age:
     * "300"} seconds): set in Envoy's route configuration, which a client cannot reach. A value that
     * does not parse fails the check (closed), naming the extension.
     */
    static Requirement routeRequirement(Map<String, String> extensions) {
        String minAal = extensions.getOrDefault("min_aal", "").trim();
        String maxAge = extensions.getOrDefault("max_auth_age", "").trim();
        if (minAal.isEmpty() && maxAge.isEmpty()) {
            return Requirement.NONE;
        }
        try {
            int level = minAal.isEmpty() ? 1 : Integer.parseInt(minAal.replaceFirst("(?i)^aal", ""));
            long seconds = maxAge.isEmpty() ? 0 : Long.parseLong(maxAge);
            if (seconds < 0 || !maxAge.isEmpty() && seconds == 0) {
                throw new IllegalArgumentException("max_auth_age must be positive");
            }
            java.time.Duration age = maxAge.isEmpty() ? null : java.time.Duration.ofSeconds(seconds);
            return new Requirement(level, age);
        } catch (IllegalArgumentException malformed) {
            throw new InvalidArgumentException("context_extensions", "min_aal is 1 or 2 (or aal1, aal2) and max_auth_age whole"
                    + " seconds; got min_aal '" + minAal + "', max_auth_age '" + maxAge + "'");
        }
    }

    private CompletionStage<CheckResponse> decide(Map<String, String> headers, Requirement requirement) {
        Optional<PresentedToken> presented = PresentedToken.in(headers, properties.cookieName());
        if (presented.isEmpty()) {
            return CompletableFuture.completedFuture(ExtAuthzDenials.unauthenticated("missing_token"));
        }
        String token = presented.get().token();
        CompletionStage<SessionCheck> check;
        try {
            check = sessions.validate(token, false, requirement);
        } catch (InvalidArgumentException malformed) {
            return CompletableFuture.completedFuture(ExtAuthzDenials.unauthenticated("malformed_token"));
        }
        boolean mayRotate = presented.get().fromCookie() || properties.rotateBearerTokens();
        // Due, or replaced and still in its grace (its holder may never have received the new token):
        // Refresh answers the current successor, the same one to every racing request.
        return check.thenCompose(result -> mayRotate && result.isLive()
                        && (result.token().refreshDue() || result.token().graceEnd() != null)
                        // A rotation that fails (Redis refused the write) leaves the request valid: the token is due, not expired.
                        ? sessions.refresh(token).exceptionally(error -> result)
                        : CompletableFuture.completedFuture(result))
                .handle((result, error) -> {
            if (error != null) {
                Throwable cause = Failures.unwrap(error);
                if (cause instanceof StoreUnavailableException) {
                    return ExtAuthzDenials.unavailable(properties.unavailableHttpStatus());
                }
                throw new CompletionException(cause);
            }
            if (result.status() == io.sessionauthority.service.session.SessionStatus.STEP_UP_REQUIRED) {
                return ExtAuthzDenials.stepUpRequired(result);
            }
            if (!result.isLive()) {
                return ExtAuthzDenials.unauthenticated(result.status().name().toLowerCase(Locale.ROOT));
            }
            // Apps behind Envoy never see the token, so they cannot Touch: the request is the activity.
            sessions.keepAlive(token, result.session(), properties.touchInterval());
            OkHttpResponse.Builder ok = UpstreamHeaders.allowed(result.session(), headers, properties.forwardAttributes(),
                    properties.cookieName()).toBuilder();
            String rotated = result.token().newToken();
            if (!rotated.isEmpty()) {
                // The browser (or the bearer client) gets the new token with this very response.
                ok.addResponseHeadersToAdd(presented.get().fromCookie()
                        ? UpstreamHeaders.add("set-cookie", properties.cookieName() + "=" + rotated + "; " + properties.cookieAttributes())
                        : UpstreamHeaders.set(ROTATED_TOKEN_HEADER, rotated));
            }
            return CheckResponse.newBuilder()
                    .setStatus(com.google.rpc.Status.newBuilder().setCode(Code.OK_VALUE))
                    .setOkResponse(ok)
                    .build();
        });
    }
}
