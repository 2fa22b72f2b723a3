package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.type.v3.StatusCode;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.sessionauthority.service.config.ExtAuthzProperties;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.MutableClock;
import io.sessionauthority.service.testing.RedisServerProcess;
import java.time.Duration;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Envoy's ext_authz contract, spoken as Envoy would: with Envoy's own generated client (its API jar,
 * a test dependency only) against the subset of that API the service compiles itself.
 */
@Tag("end-to-end")
class EnvoyExtAuthzEndToEndTest {

    private static CheckRequest request(Map<String, String> headers) {
        return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder()
                        .setHttp(AttributeContext.HttpRequest.newBuilder().setMethod("GET").setPath("/orders").putAllHeaders(headers))))
                .build();
    }

    private static Map<String, String> set(CheckResponse response) {
        return response.getOkResponse().getHeadersList().stream()
                .collect(Collectors.toMap(h -> h.getHeader().getKey(), h -> h.getHeader().getValue()));
    }

    @Test
    void liveSessionsPassWithUserHeadersAndWithoutTheTokenOthersGet401OrTheFailClosedStatus() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of(
                     "session-authority.ext-authz.forward-attributes", List.of("cart", "plan")))) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            LoginResponse login = service.blocking().login(LoginRequest.newBuilder().setUsername("alice")
                    .setPassword("correct horse battery").putAttributes("cart", "42").build());
            AuthorizationGrpc.AuthorizationBlockingStub envoy = AuthorizationGrpc.newBlockingStub(service.channel())
                    .withDeadlineAfter(10, TimeUnit.SECONDS);

            // The session cookie, among others, and a client trying to smuggle its own x-user-id.
            CheckResponse byCookie = envoy.check(request(Map.of(
                    "cookie", "theme=dark; session_id=" + login.getToken() + "; lang=en",
                    "x-user-id", "someone-else",
                    "x-session-attr-plan", "platinum",
                    // Underscore spellings, which many app servers read as the dashed names.
                    "x_user_id", "someone-else",
                    "X_Session_Attr_Role", "admin")));
            assertThat(byCookie.getStatus().getCode()).isZero();
            assertThat(set(byCookie)).containsEntry("x-user-id", login.getSession().getUserId())
                    .containsEntry("x-session-id", login.getSession().getSessionId())
                    .containsEntry("x-username", "alice")
                    .containsEntry("x-session-attr-cart", "42")
                    .containsEntry("cookie", "theme=dark; lang=en");
            assertThat(byCookie.getOkResponse().getHeadersList()).allSatisfy(h -> assertThat(h.getAppendAction())
                    .isEqualTo(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
            assertThat(byCookie.getOkResponse().getHeadersToRemoveList())
                    .contains("x-session-attr-plan", "x_user_id", "X_Session_Attr_Role").doesNotContain("x-user-id");
            assertThat(byCookie.toString()).doesNotContain(login.getToken());

            CheckResponse byBearer = envoy.check(request(Map.of("authorization", "Bearer " + login.getToken())));
            assertThat(byBearer.getStatus().getCode()).isZero();
            assertThat(byBearer.getOkResponse().getHeadersToRemoveList()).contains("authorization");

            CheckResponse missing = envoy.check(request(Map.of("cookie", "theme=dark")));
            assertThat(missing.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.Unauthorized);
            assertThat(missing.getDeniedResponse().getBody()).isEqualTo("{\"error\":\"unauthenticated\",\"reason\":\"missing_token\"}");

            CheckResponse malformed = envoy.check(request(Map.of("authorization", "Bearer nonsense")));
            assertThat(malformed.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.Unauthorized);

            service.blocking().revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build());
            CheckResponse revoked = envoy.check(request(Map.of("cookie", "session_id=" + login.getToken())));
            assertThat(revoked.getStatus().getCode()).isEqualTo(com.google.rpc.Code.UNAUTHENTICATED_VALUE);
            assertThat(revoked.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.Unauthorized);
            assertThat(revoked.getDeniedResponse().getBody()).contains("\"reason\":\"revoked\"");
            assertThat(revoked.getDeniedResponse().getHeadersList()).anySatisfy(h ->
                    assertThat(h.getHeader().getValue()).isEqualTo("application/json"));

            redis.kill();
            CheckResponse down = envoy.check(request(Map.of("cookie", "session_id=" + login.getToken())));
            assertThat(down.getStatus().getCode()).isEqualTo(com.google.rpc.Code.UNAVAILABLE_VALUE);
            assertThat(down.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.ServiceUnavailable);
        }
    }

    @Test
    void theTokenNeverTravelsUpstreamAndClientsCannotForgeSessionHeadersAndRequestsKeepTheSessionAlive() throws Exception {
        MutableClock clock = MutableClock.startingNow();
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of(
                     "session-authority.ext-authz.touch-interval", "60s"), clock)) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("bob").setPassword("correct horse battery").build());
            LoginResponse login = service.blocking().login(LoginRequest.newBuilder().setUsername("bob")
                    .setPassword("correct horse battery").build());
            AuthorizationGrpc.AuthorizationBlockingStub envoy = AuthorizationGrpc.newBlockingStub(service.channel())
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            // Within the touch interval a request is not yet activity worth a write...
            envoy.check(request(Map.of("authorization", "Bearer " + login.getToken())));
            assertThat(lastSeen(service, login)).isEqualTo(login.getSession().getLastSeenTime());
            clock.advance(Duration.ofSeconds(61));

            CheckResponse both = envoy.check(request(Map.of(
                    "authorization", "Bearer " + login.getToken(),
                    "cookie", "session_id=" + login.getToken() + "; theme=dark",
                    "x-session-attr-role", "admin")));
            assertThat(both.getOkResponse().getHeadersToRemoveList()).contains("authorization", "x-session-attr-role");
            assertThat(set(both)).containsEntry("cookie", "theme=dark");

            // ...past it, the request slid the session (fire and forget: it lands just after the answer).
            Timestamp expected = Timestamps.fromMillis(clock.instant().toEpochMilli());
            Await.until("a request through Envoy slid the session's idle expiry", Duration.ofSeconds(10),
                    () -> lastSeen(service, login).equals(expected));
        }
    }

    private static Timestamp lastSeen(ServiceUnderTest service, LoginResponse login) {
        return service.blocking().validate(io.sessionauthority.v1.ValidateRequest.newBuilder()
                .setToken(login.getToken()).build()).getSession().getLastSeenTime();
    }

    @Test
    void noAttributesAreForwardedOrRemovedByDefault() {
        assertThat(new ExtAuthzProperties("session_id", List.of(""), 503, java.time.Duration.ZERO, "Path=/", false).forwardAttributes()).isEmpty();
    }

    @Test
    void cookieParsingFindsAndDropsOnlyTheSessionCookie() {
        assertThat(CookieHeader.value("a=1; session_id=\"tok\"; b=2", "session_id")).contains("tok");
        assertThat(CookieHeader.value("xsession_id=1", "session_id")).isEmpty();
        assertThat(CookieHeader.without("a=1; session_id=tok; b=2", "session_id")).isEqualTo("a=1; b=2");
        assertThat(CookieHeader.without("session_id=tok", "session_id")).isEmpty();
    }
}
