package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.store.RedisSchema;
import io.sessionauthority.service.testing.MutableClock;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.AllSessions;
import io.sessionauthority.v1.ChangePasswordRequest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.InvalidReason;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionEndReason;
import io.sessionauthority.v1.SessionRef;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.ValidateResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Validate and Touch say why a session ended — every way a session can end — for as long as the
 * authority remembers it, including after Redis itself deleted the session at its TTL.
 */
@Tag("end-to-end")
class EndReasonsEndToEndTest {

    private static RedisServerProcess redis;
    private static MutableClock clock;
    private static ServiceUnderTest service;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        clock = MutableClock.startingNow();
        service = ServiceUnderTest.start(redis.uri(), Map.of(
                "session-authority.sessions.idle-timeout", "10m",
                "session-authority.sessions.absolute-timeout", "15m",
                "session-authority.sessions.max-per-user", "2"), clock);
    }

    @AfterAll
    static void stop() {
        service.close();
        redis.close();
    }

    @Test
    void logoutAdminRevokeRevokeAllAndPasswordChangeEachSayWhy() {
        LoginResponse loggedOut = service.signUpAndLogin("louis");
        service.blocking().revoke(RevokeRequest.newBuilder().setToken(loggedOut.getToken()).build());
        assertEnded(loggedOut, InvalidReason.INVALID_REASON_REVOKED, SessionEndReason.SESSION_END_REASON_LOGOUT);

        LoginResponse byAdmin = service.signUpAndLogin("adele");
        service.blocking().revoke(RevokeRequest.newBuilder().setSession(SessionRef.newBuilder()
                .setUserId(byAdmin.getSession().getUserId()).setSessionId(byAdmin.getSession().getSessionId())).build());
        assertEnded(byAdmin, InvalidReason.INVALID_REASON_REVOKED, SessionEndReason.SESSION_END_REASON_ADMIN_REVOKE);

        LoginResponse all = service.signUpAndLogin("alma");
        service.blocking().revoke(RevokeRequest.newBuilder().setAllSessions(AllSessions.newBuilder()
                .setUserId(all.getSession().getUserId())).build());
        assertEnded(all, InvalidReason.INVALID_REASON_REVOKED, SessionEndReason.SESSION_END_REASON_REVOKE_ALL);

        LoginResponse other = service.signUpAndLogin("patty");
        LoginResponse kept = service.login("patty");
        service.blocking().changePassword(ChangePasswordRequest.newBuilder().setUserId(kept.getSession().getUserId())
                .setCurrentPassword(PASSWORD).setNewPassword("another horse battery")
                .setKeepSessionId(kept.getSession().getSessionId()).build());
        assertEnded(other, InvalidReason.INVALID_REASON_REVOKED, SessionEndReason.SESSION_END_REASON_PASSWORD_CHANGE);
        assertThat(validate(kept).getValid()).isTrue();
    }

    @Test
    void aLoginPastTheLimitEvictsWithTheSessionLimitReason() {
        LoginResponse oldest = service.signUpAndLogin("limit");
        clock.advance(Duration.ofSeconds(1)); // least recently used is by idle expiry: apart by a second
        service.login("limit");
        clock.advance(Duration.ofSeconds(1));
        service.login("limit");
        assertEnded(oldest, InvalidReason.INVALID_REASON_REVOKED, SessionEndReason.SESSION_END_REASON_SESSION_LIMIT);
    }

    @Test
    void idleExpiryIsToldApartFromAbsoluteExpiryBeforeAndAfterRedisDeletesTheSession() {
        LoginResponse idle = service.signUpAndLogin("idle");
        LoginResponse capped = service.signUpAndLogin("capped");
        LoginResponse idleGone = service.signUpAndLogin("idlegone");
        LoginResponse cappedGone = service.signUpAndLogin("cappedgone");
        clock.advance(Duration.ofMinutes(6));
        // Slid to min(now + 10 m, login + 15 m): capped at their absolute expiry from now on.
        for (LoginResponse login : new LoginResponse[] {capped, cappedGone}) {
            assertThat(service.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken()).build()).getValid()).isTrue();
        }
        clock.advance(Duration.ofMinutes(10));

        // Read while the hashes still exist (the script's clock is past their expiry; Redis's is not).
        assertEnded(idle, InvalidReason.INVALID_REASON_EXPIRED, SessionEndReason.SESSION_END_REASON_IDLE_EXPIRY);
        assertEnded(capped, InvalidReason.INVALID_REASON_EXPIRED, SessionEndReason.SESSION_END_REASON_ABSOLUTE_EXPIRY);

        // What Redis does at the key's TTL: the hash is gone, the reason is still known.
        deleteSessionHash(idleGone);
        deleteSessionHash(cappedGone);
        assertEnded(idleGone, InvalidReason.INVALID_REASON_EXPIRED, SessionEndReason.SESSION_END_REASON_IDLE_EXPIRY);
        assertEnded(cappedGone, InvalidReason.INVALID_REASON_EXPIRED, SessionEndReason.SESSION_END_REASON_ABSOLUTE_EXPIRY);
    }

    @Test
    void aSessionBornCappedEndsAbsolutely() {
        try (ServiceUnderTest capped = ServiceUnderTest.start(redis.uri(), Map.of(
                "session-authority.sessions.idle-timeout", "15m",
                "session-authority.sessions.absolute-timeout", "15m"), clock)) {
            capped.blocking().createUser(CreateUserRequest.newBuilder().setUsername("born").setPassword(PASSWORD).build());
            LoginResponse login = capped.blocking().login(LoginRequest.newBuilder().setUsername("born").setPassword(PASSWORD).build());
            clock.advance(Duration.ofMinutes(16));
            deleteSessionHash(login);
            assertEnded(login, InvalidReason.INVALID_REASON_EXPIRED, SessionEndReason.SESSION_END_REASON_ABSOLUTE_EXPIRY);
        }
    }

    /**
     * Born capped under one policy, then slid by a replica with a shorter idle timeout: no longer
     * capped, so when it idles out the reason is idle expiry, not the absolute mark of its birth.
     */
    @Test
    void aSessionNoLongerCappedIdlesOutAsIdle() {
        try (ServiceUnderTest capped = ServiceUnderTest.start(redis.uri(), Map.of(
                "session-authority.sessions.idle-timeout", "15m",
                "session-authority.sessions.absolute-timeout", "15m"), clock)) {
            capped.blocking().createUser(CreateUserRequest.newBuilder().setUsername("uncapped").setPassword(PASSWORD).build());
            LoginResponse login = capped.blocking().login(LoginRequest.newBuilder().setUsername("uncapped").setPassword(PASSWORD).build());
            clock.advance(Duration.ofMinutes(1));
            // The class's service slides by 10 minutes: to login + 11 m, short of login + 15 m.
            assertThat(service.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken()).build()).getValid()).isTrue();
            clock.advance(Duration.ofMinutes(11));
            deleteSessionHash(login);
            assertEnded(login, InvalidReason.INVALID_REASON_EXPIRED, SessionEndReason.SESSION_END_REASON_IDLE_EXPIRY);
        }
    }

    @Test
    void liveAndUnknownTokensHaveNoEndReason() {
        LoginResponse live = service.signUpAndLogin("olive");
        ValidateResponse valid = validate(live);
        assertThat(valid.getValid()).isTrue();
        assertThat(valid.getEndReason()).isEqualTo(SessionEndReason.SESSION_END_REASON_UNSPECIFIED);

        String unknown = live.getToken().substring(0, live.getToken().length() - 4) + "AAAA";
        ValidateResponse none = service.blocking().validate(ValidateRequest.newBuilder().setToken(unknown).build());
        assertThat(none.getReason()).isEqualTo(InvalidReason.INVALID_REASON_UNKNOWN);
        assertThat(none.getEndReason()).isEqualTo(SessionEndReason.SESSION_END_REASON_UNSPECIFIED);
    }

    private static void assertEnded(LoginResponse login, InvalidReason reason, SessionEndReason endReason) {
        ValidateResponse validated = validate(login);
        assertThat(validated.getValid()).isFalse();
        assertThat(validated.getReason()).isEqualTo(reason);
        assertThat(validated.getEndReason()).isEqualTo(endReason);
        TouchResponse touched = service.blocking().touch(TouchRequest.newBuilder().setToken(login.getToken()).build());
        assertThat(touched.getValid()).isFalse();
        assertThat(touched.getReason()).isEqualTo(reason);
        assertThat(touched.getEndReason()).as("Touch says the same, and keeps saying it").isEqualTo(endReason);
        assertThat(validate(login).getEndReason()).isEqualTo(endReason);
    }

    private static ValidateResponse validate(LoginResponse login) {
        return service.blocking().validate(ValidateRequest.newBuilder().setToken(login.getToken()).build());
    }

    private static void deleteSessionHash(LoginResponse login) {
        assertThat(redis.commands().del(RedisSchema.session(login.getSession().getUserId(), login.getSession().getSessionId())))
                .isEqualTo(1);
    }

}
