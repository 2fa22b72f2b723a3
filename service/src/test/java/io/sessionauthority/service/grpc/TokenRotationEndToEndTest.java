package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.RevocationSubscriber;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.InvalidReason;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RefreshRequest;
import io.sessionauthority.v1.RefreshResponse;
import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.SessionEndReason;
import io.sessionauthority.v1.SessionUpdate;
import io.sessionauthority.v1.SessionUpdateKind;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.ValidateResponse;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Token rotation through the real service: Refresh within the grace, a replaced token after it
 * ending the session (on WatchRevocations), and automatic rotation through Touch and through
 * Envoy's Check, which hands the new token back as a Set-Cookie.
 */
@Tag("end-to-end")
class TokenRotationEndToEndTest {

    private static final Duration WITHIN = Duration.ofSeconds(10);

    private static RedisServerProcess redis;
    /** A grace no test outlives: what happens within it. */
    private static ServiceUnderTest lenient;
    /** A one-second grace, and tokens due after three: what happens after it, and automatic rotation. */
    private static ServiceUnderTest strict;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        lenient = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.sessions.rotation-grace", "10m"));
        strict = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.sessions.rotation-grace", "1s",
                "session-authority.sessions.rotate-after", "3s", "session-authority.ext-authz.rotate-bearer-tokens", true));
    }

    @AfterAll
    static void stop() {
        strict.close();
        lenient.close();
        redis.close();
    }

    private static LoginResponse login(ServiceUnderTest service, String username) {
        service.blocking().createUser(CreateUserRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
        return service.blocking().login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
    }

    private static ValidateResponse validate(ServiceUnderTest service, String token) {
        return service.blocking().validate(ValidateRequest.newBuilder().setToken(token).build());
    }

    private static RefreshResponse refresh(ServiceUnderTest service, String token) {
        return service.blocking().refresh(RefreshRequest.newBuilder().setToken(token).build());
    }

    private static void assertEndedForReuse(ValidateResponse answer) {
        assertThat(answer.getValid()).isFalse();
        assertThat(answer.getReason()).isEqualTo(InvalidReason.INVALID_REASON_REVOKED);
        assertThat(answer.getEndReason()).isEqualTo(SessionEndReason.SESSION_END_REASON_TOKEN_REUSE);
    }

    @Test
    void withinTheGraceBothTokensWorkAndTheStreamTellsCachesToForget() throws Exception {
        LoginResponse login = login(lenient, "rita");
        try (RevocationSubscriber watch = RevocationSubscriber.watch(lenient.channel(), "")) {
            assertThat(watch.next(WITHIN).hasHeartbeat()).as("subscribed").isTrue();
            assertThat(validate(lenient, login.getToken()).getValid()).isTrue(); // now hot in the replica's memory

            RefreshResponse refreshed = refresh(lenient, login.getToken());
            assertThat(refreshed.getValid()).isTrue();
            assertThat(refreshed.getToken()).startsWith("sat2_").isNotEqualTo(login.getToken());
            assertThat(refreshed.getSession().getSessionId()).isEqualTo(login.getSession().getSessionId());
            assertThat(refreshed.hasPreviousTokenGraceEndTime()).isTrue();

            ValidateResponse replaced = validate(lenient, login.getToken());
            assertThat(replaced.getValid()).isTrue();
            assertThat(replaced.getTokenGraceEndTime()).isEqualTo(refreshed.getPreviousTokenGraceEndTime());
            ValidateResponse current = validate(lenient, refreshed.getToken());
            assertThat(current.getValid()).isTrue();
            assertThat(current.hasTokenGraceEndTime()).isFalse();
            assertThat(refresh(lenient, login.getToken()).getToken()).as("a racing refresh gets the same token")
                    .isEqualTo(refreshed.getToken());

            WatchRevocationsResponse event = watch.nextEvent(WITHIN);
            assertThat(event.hasSessionUpdate()).as("%s", event).isTrue();
            SessionUpdate rotation = event.getSessionUpdate();
            assertThat(rotation.getKind()).isEqualTo(SessionUpdateKind.SESSION_UPDATE_KIND_TOKEN_ROTATED);
            assertThat(rotation.getUserId()).isEqualTo(login.getSession().getUserId());
            assertThat(rotation.getSessionId()).isEqualTo(login.getSession().getSessionId());
        }
    }

    @Test
    void aReplacedTokenAfterItsGraceEndsTheSessionForBothHolders() throws Exception {
        LoginResponse login = login(strict, "sam");
        try (RevocationSubscriber watch = RevocationSubscriber.watch(strict.channel(), "")) {
            assertThat(watch.next(WITHIN).hasHeartbeat()).as("subscribed").isTrue();
            String next = refresh(strict, login.getToken()).getToken();
            assertThat(watch.nextEvent(WITHIN).hasSessionUpdate()).isTrue();

            // The thief's copy works while the grace lasts (requests on their way), and then ends everything.
            Await.until("the replaced token's grace to end", WITHIN, () -> !validate(strict, login.getToken()).getValid());
            assertEndedForReuse(validate(strict, login.getToken()));
            assertEndedForReuse(validate(strict, next));
            assertThat(refresh(strict, next).getValid()).isFalse();
            Revocation ended = watch.nextRevocation(WITHIN);
            assertThat(ended.getSessionId()).isEqualTo(login.getSession().getSessionId());
            assertThat(ended.getReason()).isEqualTo(SessionEndReason.SESSION_END_REASON_TOKEN_REUSE);
        }
    }

    @Test
    void aTouchThatAsksRotatesADueTokenAndOneThatDoesNotNever() {
        LoginResponse login = login(strict, "tess");
        Await.until("the token to be due", WITHIN, () -> validate(strict, login.getToken()).getRefreshDue());
        TouchResponse plain = strict.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken()).build());
        assertThat(plain.getValid()).isTrue();
        assertThat(plain.getToken()).isEmpty();

        TouchResponse rotating = strict.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken()).setRotateIfDue(true).build());
        assertThat(rotating.getToken()).startsWith("sat2_");
        ValidateResponse current = validate(strict, rotating.getToken());
        assertThat(current.getValid()).isTrue();
        assertThat(current.getRefreshDue()).isFalse();
    }

    private static CheckRequest check(Map<String, String> headers) {
        return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder()
                        .setHttp(AttributeContext.HttpRequest.newBuilder().setMethod("GET").setPath("/orders").putAllHeaders(headers))))
                .build();
    }

    private static List<HeaderValueOption> toClient(CheckResponse response) {
        return response.getOkResponse().getResponseHeadersToAddList();
    }

    @Test
    void envoyHandsADueTokenBackAsASetCookieOrAHeader() {
        AuthorizationGrpc.AuthorizationBlockingStub envoy = AuthorizationGrpc.newBlockingStub(strict.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        LoginResponse browser = login(strict, "uma");
        Await.until("the token to be due", WITHIN, () -> validate(strict, browser.getToken()).getRefreshDue());
        CheckResponse due = envoy.check(check(Map.of("cookie", "theme=dark; session_id=" + browser.getToken())));
        assertThat(due.getStatus().getCode()).isZero();
        assertThat(toClient(due)).hasSize(1);
        HeaderValueOption cookie = toClient(due).get(0);
        assertThat(cookie.getHeader().getKey()).isEqualTo("set-cookie");
        String rotated = cookie.getHeader().getValue().substring("session_id=".length(), cookie.getHeader().getValue().indexOf(';'));
        assertThat(cookie.getHeader().getValue()).startsWith("session_id=sat2_").contains("HttpOnly").contains("Secure");
        assertThat(validate(strict, rotated).getValid()).isTrue();
        assertThat(due.getOkResponse().getHeadersList()).as("upstream never sees a token")
                .noneSatisfy(h -> assertThat(h.getHeader().getValue()).contains(rotated));

        LoginResponse app = strict.blocking().login(LoginRequest.newBuilder().setUsername("uma").setPassword(PASSWORD).build());
        Await.until("the token to be due", WITHIN, () -> validate(strict, app.getToken()).getRefreshDue());
        CheckResponse bearer = envoy.check(check(Map.of("authorization", "Bearer " + app.getToken())));
        assertThat(toClient(bearer)).singleElement().satisfies(header -> {
            assertThat(header.getHeader().getKey()).isEqualTo("session-authority-token");
            assertThat(validate(strict, header.getHeader().getValue()).getValid()).isTrue();
        });
    }
}
