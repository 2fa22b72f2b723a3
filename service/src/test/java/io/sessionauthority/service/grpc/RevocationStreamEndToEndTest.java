package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.RevocationSubscriber;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.AllSessions;
import io.sessionauthority.v1.ChangePasswordRequest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.Revocation;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionEndReason;
import io.sessionauthority.v1.SessionRef;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** WatchRevocations through a real gRPC channel, against a real Redis. */
@Tag("end-to-end")
class RevocationStreamEndToEndTest {

    private static final Duration WITHIN = Duration.ofSeconds(5);

    @Test
    void everyEventThatEndsSessionsIsStreamedInOrderWithItsReason() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.sessions.max-per-user", 2));
             RevocationSubscriber watch = RevocationSubscriber.watch(service.channel(), "")) {
            String userId = service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword(PASSWORD).build()).getUserId();
            awaitHeartbeat(watch); // subscribed: from here on every event is seen

            LoginResponse first = login(service);
            service.blocking().revoke(RevokeRequest.newBuilder().setToken(first.getToken()).build());
            assertEvent(watch.nextRevocation(WITHIN), userId, first.getSession().getSessionId(), "", SessionEndReason.SESSION_END_REASON_LOGOUT);

            LoginResponse second = login(service);
            service.blocking().revoke(RevokeRequest.newBuilder().setSession(SessionRef.newBuilder().setUserId(userId)
                    .setSessionId(second.getSession().getSessionId())).build());
            assertEvent(watch.nextRevocation(WITHIN), userId, second.getSession().getSessionId(), "", SessionEndReason.SESSION_END_REASON_ADMIN_REVOKE);

            LoginResponse kept = login(service);
            login(service);
            service.blocking().revoke(RevokeRequest.newBuilder().setAllSessions(AllSessions.newBuilder().setUserId(userId)
                    .setExceptSessionId(kept.getSession().getSessionId())).build());
            assertEvent(watch.nextRevocation(WITHIN), userId, "", kept.getSession().getSessionId(), SessionEndReason.SESSION_END_REASON_REVOKE_ALL);

            service.blocking().changePassword(ChangePasswordRequest.newBuilder().setUserId(userId).setCurrentPassword(PASSWORD)
                    .setNewPassword(PASSWORD + "!").setKeepSessionId(kept.getSession().getSessionId()).build());
            assertEvent(watch.nextRevocation(WITHIN), userId, "", kept.getSession().getSessionId(), SessionEndReason.SESSION_END_REASON_PASSWORD_CHANGE);

            // Two sessions allowed: a third login evicts the least recently used (kept is the oldest).
            login(service, PASSWORD + "!");
            login(service, PASSWORD + "!");
            assertEvent(watch.nextRevocation(WITHIN), userId, kept.getSession().getSessionId(), "", SessionEndReason.SESSION_END_REASON_SESSION_LIMIT);
        }
    }

    @Test
    void aSubscriberResumesFromItsCursorAcrossAServiceRestartAndMissesNothing() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            String cursor;
            List<String> revokedWhileAway = new ArrayList<>();
            try (ServiceUnderTest service = ServiceUnderTest.start(redis.uri());
                 RevocationSubscriber watch = RevocationSubscriber.watch(service.channel(), "")) {
                service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("bob").setPassword(PASSWORD).build());
                awaitHeartbeat(watch);
                LoginResponse login = login(service, "bob", PASSWORD);
                service.blocking().revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build());
                cursor = watch.nextRevocation(WITHIN).getCursor();
            }
            try (ServiceUnderTest other = ServiceUnderTest.start(redis.uri())) {
                for (int i = 0; i < 3; i++) {
                    LoginResponse login = login(other, "bob", PASSWORD);
                    other.blocking().revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build());
                    revokedWhileAway.add(login.getSession().getSessionId());
                }
            }
            try (ServiceUnderTest restarted = ServiceUnderTest.start(redis.uri());
                 RevocationSubscriber resumed = RevocationSubscriber.watch(restarted.channel(), cursor)) {
                List<String> seen = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    seen.add(resumed.nextRevocation(WITHIN).getSessionId());
                }
                assertThat(seen).containsExactlyElementsOf(revokedWhileAway);
                WatchRevocationsResponse next = resumed.next(Duration.ofSeconds(3));
                assertThat(next.hasHeartbeat()).as("nothing more than what was missed").isTrue();
            }
        }
    }

    @Test
    void aCursorOlderThanTheRetentionStartsWithAReset() throws Exception {
        // One entry per stream node, so Redis' approximate trimming (whole nodes) trims exactly.
        try (RedisServerProcess redis = RedisServerProcess.start("--stream-node-max-entries", "1");
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.revocations.retention", "1s"))) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("carol").setPassword(PASSWORD).build());
            String old;
            try (RevocationSubscriber watch = RevocationSubscriber.watch(service.channel(), "")) {
                old = awaitHeartbeat(watch); // the position before the event below
                LoginResponse login = login(service, "carol", PASSWORD);
                service.blocking().revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build());
                watch.nextRevocation(WITHIN);
            }
            Thread.sleep(1_500);
            for (int i = 0; i < 3; i++) { // appends trim what is older than a second
                LoginResponse login = login(service, "carol", PASSWORD);
                service.blocking().revoke(RevokeRequest.newBuilder().setToken(login.getToken()).build());
            }
            // A replica started now holds none of the old events in memory: it must read the log.
            try (ServiceUnderTest fresh = ServiceUnderTest.start(redis.uri());
                 RevocationSubscriber late = RevocationSubscriber.watch(fresh.channel(), old)) {
                WatchRevocationsResponse first = late.next(WITHIN);
                assertThat(first.hasReset()).as("told to drop its cache: %s", first).isTrue();
                assertThat(first.getReset().getCursor()).isNotEmpty();
            }
        }
    }

    @Test
    void aSubscriberThatDoesNotKeepUpIsCutOffAndToldSo() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.revocations.slow-subscriber", "1s"))) {
            // A small flow-control window, so a few hundred unread events fill it.
            ManagedChannel narrow = NettyChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext()
                    .flowControlWindow(16 * 1024).build();
            RevocationSubscriber slow = RevocationSubscriber.watchWithoutReading(narrow, "");
            String userId = service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("dave").setPassword(PASSWORD).build()).getUserId();
            slow.read(1);
            assertThat(slow.next(Duration.ofSeconds(10)).hasHeartbeat()).as("subscribed").isTrue();
            // Far more than a flow-control window of events, appended as the revokes that end
            // sessions append them (a revoke that ends nothing appends nothing).
            var log = service.bean(io.sessionauthority.service.session.AnnouncingLog.class);
            for (int i = 0; i < 1_500; i++) {
                log.append(io.sessionauthority.service.revocation.Revocation.ofSession(userId, someSessionId(),
                        io.sessionauthority.service.revocation.EndReason.ADMIN_REVOKE, java.time.Instant.now()))
                        .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            // The scenario, not a synchronisation: the subscriber reads nothing for longer than slow-subscriber (1 s).
            Thread.sleep(2_500);
            slow.read(Integer.MAX_VALUE);
            Status end = slow.awaitEnd(Duration.ofSeconds(10));
            assertThat(end).isNotNull();
            assertThat(end.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(slow.queued()).as("the server held back what did not fit, it did not buffer it").isLessThan(1_500);
            slow.close();
            narrow.shutdownNow();
        }
    }

    @Test
    void aMalformedCursorIsInvalidArgument() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri());
             RevocationSubscriber watch = RevocationSubscriber.watch(service.channel(), "yesterday")) {
            Status end = watch.awaitEnd(WITHIN);
            assertThat(end.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(end.getDescription()).contains("cursor");
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** A well-formed id of a session that does not exist. */
    private static String someSessionId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    /** Waits for the first heartbeat and answers its cursor. */
    private static String awaitHeartbeat(RevocationSubscriber watch) throws InterruptedException {
        WatchRevocationsResponse message = watch.next(WITHIN);
        assertThat(message.hasHeartbeat()).as("a heartbeat first: %s", message).isTrue();
        return message.getHeartbeat().getCursor();
    }

    private static LoginResponse login(ServiceUnderTest service) {
        return login(service, "alice", PASSWORD);
    }

    private static LoginResponse login(ServiceUnderTest service, String password) {
        return login(service, "alice", password);
    }

    private static LoginResponse login(ServiceUnderTest service, String username, String password) {
        return service.blocking().login(LoginRequest.newBuilder().setUsername(username).setPassword(password).build());
    }

    private static void assertEvent(Revocation event, String userId, String sessionId, String except, SessionEndReason reason) {
        assertThat(event.getUserId()).isEqualTo(userId);
        assertThat(event.getSessionId()).isEqualTo(sessionId);
        assertThat(event.getExceptSessionId()).isEqualTo(except);
        assertThat(event.getReason()).isEqualTo(reason);
        assertThat(event.getCursor()).matches("\\d+-\\d+");
        assertThat(event.getTime().getSeconds()).isPositive();
    }
}
