package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.GrpcErrors.errorInfo;
import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.RevocationSubscriber;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.InvalidReason;
import io.sessionauthority.v1.ListSessionsRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.SessionEndReason;
import io.sessionauthority.v1.SessionLimitPolicy;
import io.sessionauthority.v1.SessionLimitReached;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.ValidateResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The session-limit policies through the real service: evict the least recently used (the
 * default), deny the new login with the sessions the user could end, one session per device; each
 * ending carries SESSION_LIMIT on Validate and on the revocation stream.
 */
@Tag("end-to-end")
class SessionLimitEndToEndTest {

    private static final Duration WITHIN = Duration.ofSeconds(5);

    private static RedisServerProcess redis;
    /** Deployment: 3 sessions per user, evict-least-recent (the default policy). */
    private static ServiceUnderTest evicting;
    /** Deployment: 2 sessions per user, deny-new. */
    private static ServiceUnderTest denying;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        evicting = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.sessions.max-per-user", 3));
        denying = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.sessions.max-per-user", 2,
                "session-authority.sessions.limit-policy", "deny-new"));
    }

    @AfterAll
    static void stop() {
        denying.close();
        evicting.close();
        redis.close();
    }

    private static String createUser(ServiceUnderTest service, String username) {
        return service.blocking().createUser(CreateUserRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build()).getUserId();
    }

    private static LoginRequest.Builder login(String username) {
        return LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD);
    }

    private static ValidateResponse validate(ServiceUnderTest service, LoginResponse login) {
        return service.blocking().validate(ValidateRequest.newBuilder().setToken(login.getToken()).setSkipCache(true).build());
    }

    private static void assertEndedByTheLimit(ServiceUnderTest service, LoginResponse login) {
        ValidateResponse answer = validate(service, login);
        assertThat(answer.getValid()).isFalse();
        assertThat(answer.getReason()).isEqualTo(InvalidReason.INVALID_REASON_REVOKED);
        assertThat(answer.getEndReason()).isEqualTo(SessionEndReason.SESSION_END_REASON_SESSION_LIMIT);
    }

    private static SessionLimitReached limitDetail(StatusRuntimeException refused) throws InvalidProtocolBufferException {
        for (com.google.protobuf.Any detail : StatusProto.fromThrowable(refused).getDetailsList()) {
            if (detail.is(SessionLimitReached.class)) {
                return detail.unpack(SessionLimitReached.class);
            }
        }
        throw new AssertionError("no SessionLimitReached detail in " + refused);
    }

    @Test
    void pastTheLimitTheLeastRecentlyUsedEndsAndTheStreamSaysWhy() throws Exception {
        String userId = createUser(evicting, "erin");
        try (RevocationSubscriber watch = RevocationSubscriber.watch(evicting.channel(), "")) {
            assertThat(watch.next(WITHIN).hasHeartbeat()).as("subscribed").isTrue();
            LoginResponse oldest = evicting.blocking().login(login("erin").build());
            LoginResponse used = evicting.blocking().login(login("erin").build());
            LoginResponse third = evicting.blocking().login(login("erin").build());
            // The oldest is used again: the second becomes the least recently used.
            evicting.blocking().touch(TouchRequest.newBuilder().setToken(oldest.getToken()).build());
            evicting.blocking().touch(TouchRequest.newBuilder().setToken(third.getToken()).build());
            LoginResponse fourth = evicting.blocking().login(login("erin").build());

            assertEndedByTheLimit(evicting, used);
            assertThat(List.of(oldest, third, fourth)).allSatisfy(live -> assertThat(validate(evicting, live).getValid()).isTrue());
            Revocation event = watch.nextRevocation(WITHIN);
            assertThat(event.getUserId()).isEqualTo(userId);
            assertThat(event.getSessionId()).isEqualTo(used.getSession().getSessionId());
            assertThat(event.getReason()).isEqualTo(SessionEndReason.SESSION_END_REASON_SESSION_LIMIT);
        }
    }

    @Test
    void aCallerLowersTheLimitForItsOwnProductButCannotRaiseIt() {
        createUser(evicting, "stream");
        LoginRequest twoScreens = login("stream").setMaxSessions(2).build();
        LoginResponse first = evicting.blocking().login(twoScreens);
        LoginResponse second = evicting.blocking().login(twoScreens);
        LoginResponse third = evicting.blocking().login(twoScreens);
        assertEndedByTheLimit(evicting, first);
        assertThat(validate(evicting, second).getValid()).isTrue();
        assertThat(validate(evicting, third).getValid()).isTrue();

        StatusRuntimeException raised = expectStatus(Status.Code.INVALID_ARGUMENT,
                () -> evicting.blocking().login(login("stream").setMaxSessions(4).build()));
        assertThat(errorInfo(raised).getMetadataMap()).containsEntry("field", "max_sessions");
        StatusRuntimeException malformed = expectStatus(Status.Code.INVALID_ARGUMENT,
                () -> evicting.blocking().login(login("stream").setReplaceSessionId("not a session id").build()));
        assertThat(errorInfo(malformed).getMetadataMap()).containsEntry("field", "replace_session_id");
        StatusRuntimeException unknownPolicy = expectStatus(Status.Code.INVALID_ARGUMENT,
                () -> evicting.blocking().login(login("stream").setSessionLimitPolicyValue(99).build()));
        assertThat(errorInfo(unknownPolicy).getMetadataMap()).containsEntry("field", "session_limit_policy");
        assertThat(evicting.blocking().listSessions(ListSessionsRequest.newBuilder().setUserId(second.getSession().getUserId()).build())
                .getSessionsCount()).as("refused requests start nothing").isEqualTo(2);
    }

    @Test
    void denyNewRefusesWithTheLiveSessionsAndAReplacingLoginGetsIn() throws Exception {
        String userId = createUser(denying, "dana");
        LoginResponse phone = denying.blocking().login(login("dana").build());
        LoginResponse laptop = denying.blocking().login(login("dana").build());
        denying.blocking().touch(TouchRequest.newBuilder().setToken(phone.getToken()).build());

        StatusRuntimeException refused = expectStatus(Status.Code.FAILED_PRECONDITION, () -> denying.blocking().login(login("dana").build()));
        assertThat(errorInfo(refused).getReason()).isEqualTo("SESSION_LIMIT_REACHED");
        SessionLimitReached detail = limitDetail(refused);
        assertThat(detail.getMaxSessions()).isEqualTo(2);
        assertThat(detail.getSessionsList()).extracting(io.sessionauthority.v1.Session::getSessionId).as("least recently used first")
                .containsExactly(laptop.getSession().getSessionId(), phone.getSession().getSessionId());
        assertThat(validate(denying, phone).getValid()).isTrue();
        assertThat(validate(denying, laptop).getValid()).isTrue();

        // A wrong password at the limit learns nothing about the sessions.
        StatusRuntimeException wrong = expectStatus(Status.Code.UNAUTHENTICATED,
                () -> denying.blocking().login(login("dana").setPassword(PASSWORD + "?").build()));
        assertThat(StatusProto.fromThrowable(wrong).getDetailsList()).noneMatch(any -> any.is(SessionLimitReached.class));

        // A session that is not the user's replaces nothing: still refused, and the other user's session lives.
        createUser(denying, "mallory");
        LoginResponse other = denying.blocking().login(login("mallory").build());
        expectStatus(Status.Code.FAILED_PRECONDITION, () -> denying.blocking().login(login("dana")
                .setReplaceSessionId(other.getSession().getSessionId()).build()));
        assertThat(validate(denying, other).getValid()).isTrue();

        LoginResponse tablet = denying.blocking().login(login("dana").setReplaceSessionId(laptop.getSession().getSessionId()).build());
        assertThat(validate(denying, tablet).getValid()).isTrue();
        assertEndedByTheLimit(denying, laptop);
        assertThat(validate(denying, phone).getValid()).isTrue();

        // The caller may ask for the deployment's former behaviour.
        LoginResponse evicted = denying.blocking().login(login("dana")
                .setSessionLimitPolicy(SessionLimitPolicy.SESSION_LIMIT_POLICY_EVICT_LEAST_RECENT).build());
        assertThat(validate(denying, evicted).getValid()).isTrue();
        assertEndedByTheLimit(denying, phone);
        assertThat(denying.blocking().listSessions(ListSessionsRequest.newBuilder().setUserId(userId).build()).getSessionsCount())
                .isEqualTo(2);
    }

    /**
     * The refusal travels in the status trailer, which a gRPC client reads up to 8 KiB: with 12 sessions
     * as large as sessions get, it must still arrive whole, as FAILED_PRECONDITION with its detail.
     */
    @Test
    void theRefusalFitsTheTrailerHoweverLargeTheSessions() throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.sessions.max-per-user", 12,
                "session-authority.sessions.limit-policy", "deny-new"))) {
            createUser(service, "hoarder");
            // Four bytes a character in both texts: the widest they get.
            LoginRequest.Builder large = login("hoarder").setClient(io.sessionauthority.v1.ClientMetadata.newBuilder()
                    .setIpAddress("2001:db8::1").setUserAgent("😀".repeat(256)).setDeviceName("😀".repeat(64)));
            for (int i = 0; i < 16; i++) {
                large.putAttributes("attribute-" + i, "v".repeat(256));
            }
            List<LoginResponse> sessions = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                sessions.add(service.blocking().login(large.build()));
            }
            StatusRuntimeException refused = expectStatus(Status.Code.FAILED_PRECONDITION, () -> service.blocking().login(large.build()));
            SessionLimitReached detail = limitDetail(refused);
            assertThat(detail.getMaxSessions()).isEqualTo(12);
            assertThat(detail.getSerializedSize()).isLessThanOrEqualTo(ProtoMapping.LISTED_BYTES);
            assertThat(detail.getSessionsCount()).isBetween(5, 10);
            assertThat(detail.getSessionsList()).allSatisfy(listed -> {
                assertThat(listed.getAttributesMap()).isEmpty();
                assertThat(listed.getUserId()).isEmpty();
                String userAgent = listed.getClient().getUserAgent();
                assertThat(userAgent.codePointCount(0, userAgent.length())).isEqualTo(96);
                assertThat(userAgent).endsWith("…");
                assertThat(listed.getClient().getDeviceName().codePointCount(0, listed.getClient().getDeviceName().length())).isEqualTo(48);
            });
            assertThat(detail.getSessions(0).getSessionId()).isEqualTo(sessions.get(0).getSession().getSessionId());
        }
    }

    @Test
    void onePerDeviceReplacesThatDevicesSessionOnly() {
        createUser(evicting, "dev");
        LoginRequest perDevice = login("dev").setSessionLimitPolicy(SessionLimitPolicy.SESSION_LIMIT_POLICY_ONE_PER_DEVICE).build();
        LoginResponse phone = evicting.blocking().login(perDevice);
        LoginResponse laptop = evicting.blocking().login(perDevice);

        // The phone logs in again with the device token its last login handed it: its old session ends.
        LoginResponse phoneAgain = evicting.blocking().login(perDevice.toBuilder().setDeviceToken(phone.getDeviceToken()).build());
        assertEndedByTheLimit(evicting, phone);
        assertThat(validate(evicting, laptop).getValid()).isTrue();
        assertThat(validate(evicting, phoneAgain).getValid()).isTrue();

        // And again, with the token that login handed out (tokens rotate at every login).
        LoginResponse phoneThird = evicting.blocking().login(perDevice.toBuilder().setDeviceToken(phoneAgain.getDeviceToken()).build());
        assertEndedByTheLimit(evicting, phoneAgain);
        assertThat(validate(evicting, laptop).getValid()).isTrue();
        assertThat(validate(evicting, phoneThird).getValid()).isTrue();

        // Under the default policy the device's session is not replaced.
        LoginResponse laptopAgain = evicting.blocking().login(login("dev").setDeviceToken(laptop.getDeviceToken()).build());
        assertThat(validate(evicting, laptop).getValid()).isTrue();
        assertThat(validate(evicting, laptopAgain).getValid()).isTrue();
    }
}
