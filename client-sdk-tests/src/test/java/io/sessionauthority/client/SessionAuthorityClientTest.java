package io.sessionauthority.client;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.sessionauthority.client.Expect.thrown;

import io.grpc.Status;
import io.sessionauthority.service.testing.MutableClock;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.SessionLimitPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The SDK against the real service and a real Redis, over loopback. */
@Tag("end-to-end")
class SessionAuthorityClientTest {

    private static RedisServerProcess redis;
    private static ServiceUnderTest service;
    private static SessionAuthorityClient client;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        service = ServiceUnderTest.start(redis.uri());
        // A generous deadline: these tests check answers, not latency, on a noisy 2-core machine.
        client = SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext().deadline(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        service.close();
        redis.close();
    }

    @BeforeEach
    void flush() {
        redis.flushAllButTheRevocationLog();
    }

    private LoginResult signUpAndLogin(String username) {
        client.createUser(username, PASSWORD);
        return client.login(username, PASSWORD, new ClientInfo("", "", "test"));
    }

    @Test
    void everyMethodWorksEndToEnd() {
        CreatedUser created = client.createUser("Alice", PASSWORD);
        assertThat(created.username()).isEqualTo("alice");
        LoginResult login = client.login(LoginRequest.newBuilder().setUsername("alice").setPassword(PASSWORD)
                .putAttributes("cart", "1").build());
        LoginResult other = client.login("alice", PASSWORD, ClientInfo.none());

        ValidationResult valid = client.validate(login.token());
        assertThat(valid.isValid()).isTrue();
        assertThat(valid.session()).contains(login.session());
        assertThat(valid.reason()).isEqualTo(ValidationResult.Reason.NONE);

        ValidationResult touched = client.touch(login.token(), Map.of("page", "/cart"), List.of("cart"));
        assertThat(touched.session().orElseThrow().attributes()).containsOnly(Map.entry("page", "/cart"));
        assertThat(client.touch(login.token()).isValid()).isTrue();

        assertThat(client.listSessions(created.userId())).extracting(SessionInfo::sessionId)
                .containsExactlyInAnyOrder(login.session().sessionId(), other.session().sessionId());

        assertThat(client.revokeSession(created.userId(), other.session().sessionId())).isEqualTo(1);
        assertThat(client.validate(other.token()).reason()).isEqualTo(ValidationResult.Reason.REVOKED);
        assertThat(client.validate(other.token()).endReason()).isEqualTo(ValidationResult.EndReason.ADMIN_REVOKE);

        LoginResult third = client.login("alice", PASSWORD, ClientInfo.none());
        assertThat(client.changePassword(created.userId(), PASSWORD, "a new long passphrase", login.session().sessionId()))
                .isEqualTo(1);
        assertThat(client.validate(third.token()).isValid()).isFalse();
        assertThat(client.validate(third.token()).endReason()).isEqualTo(ValidationResult.EndReason.PASSWORD_CHANGE);

        assertThat(client.revokeAllSessions(created.userId())).isEqualTo(1);
        assertThat(client.revokeToken(login.token())).isZero();
        ValidationResult revoked = client.validate(login.token());
        assertThat(revoked.isValid()).isFalse();
        assertThat(revoked.session()).isEmpty();
        assertThat(revoked.reason()).isEqualTo(ValidationResult.Reason.REVOKED);
        assertThat(revoked.endReason()).isEqualTo(ValidationResult.EndReason.REVOKE_ALL);
        assertThat(valid.endReason()).isEqualTo(ValidationResult.EndReason.NONE);
    }

    @Test
    void asynchronousFormsCompleteWithTheSameAnswers() throws Exception {
        LoginResult login = signUpAndLogin("bob");
        assertThat(client.validateAsync(login.token()).get(5, TimeUnit.SECONDS).isValid()).isTrue();
        assertThat(client.touchAsync(login.token(), Map.of(), List.of()).get(5, TimeUnit.SECONDS).isValid()).isTrue();
        assertThat(client.listSessionsAsync(login.session().userId()).get(5, TimeUnit.SECONDS)).hasSize(1);
        assertThat(client.revokeTokenAsync(login.token()).get(5, TimeUnit.SECONDS)).isEqualTo(1);

        CompletableFuture<LoginResult> wrong = client.loginAsync(LoginRequest.newBuilder().setUsername("bob").setPassword("nope nope").build());
        assertThatThrownBy(wrong::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(UnauthenticatedException.class);
    }

    /** "Keep none" is said by leaving the session out; an empty id is a mistake, refused before any call. */
    @Test
    void keepingNoSessionIsItsOwnCallNotAnEmptyId() {
        LoginResult login = signUpAndLogin("dave");
        String user = login.session().userId();
        for (String empty : new String[] {"", null}) {
            assertThatThrownBy(() -> client.revokeAllSessions(user, empty)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("revokeAllSessions(userId)");
            assertThatThrownBy(() -> client.changePassword(user, PASSWORD, "a new long passphrase", empty))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("changePassword(userId, currentPassword, newPassword)");
        }
        assertThat(client.validate(login.token()).isValid()).as("nothing was sent").isTrue();

        assertThat(client.changePassword(user, PASSWORD, "a new long passphrase")).isEqualTo(1);
        assertThat(client.validate(login.token()).endReason()).isEqualTo(ValidationResult.EndReason.PASSWORD_CHANGE);
    }

    /** Futures complete on the caller's executor, so stages chained on them may block without stalling gRPC's threads. */
    @Test
    void asynchronousAnswersCompleteOnTheCallbackExecutor() throws Exception {
        LoginResult login = signUpAndLogin("erin");
        java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor(
                runnable -> new Thread(runnable, "callers-own-executor"));
        try (SessionAuthorityClient own = SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext()
                .deadline(Duration.ofSeconds(5)).callbackExecutor(executor).build()) {
            String validated = own.validateAsync(login.token()).thenApply(result -> Thread.currentThread().getName())
                    .get(5, TimeUnit.SECONDS);
            String failed = own.loginAsync(LoginRequest.newBuilder().setUsername("erin").setPassword("wrong password").build())
                    .handle((response, error) -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
            assertThat(validated).isEqualTo("callers-own-executor");
            assertThat(failed).isEqualTo("callers-own-executor");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aTokenOfTheWrongShapeIsAnAnswerNotAFailure() {
        for (String garbage : java.util.List.of("", "not-a-token", "Bearer x", "sat1_" + "A".repeat(63) + "/", "sat1_" + "A".repeat(65))) {
            ValidationResult result = client.validate(garbage);
            assertThat(result.isValid()).as(garbage).isFalse();
            assertThat(result.reason()).as(garbage).isEqualTo(ValidationResult.Reason.MALFORMED);
        }
        // Right shape, but not canonical base64: the authority says INVALID_ARGUMENT, the SDK says MALFORMED.
        assertThat(client.validate("sat1_" + "A".repeat(63) + "B").reason()).isIn(ValidationResult.Reason.MALFORMED, ValidationResult.Reason.UNKNOWN);
        assertThatThrownBy(() -> client.validate(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void failuresAreTypedExceptions() {
        LoginResult login = signUpAndLogin("carol");

        InvalidArgumentException malformed = thrown(InvalidArgumentException.class, () -> client.revokeToken("not-a-token"));
        assertThat(malformed.field()).isEqualTo("token");
        assertThat(malformed.reason()).isEqualTo("INVALID_FIELD");
        assertThat(malformed.isRetryable()).isFalse();

        UnauthenticatedException wrong = thrown(UnauthenticatedException.class,
                () -> client.login("carol", "wrong password", ClientInfo.none()));
        assertThat(wrong.reason()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(wrong.code()).isEqualTo(Status.Code.UNAUTHENTICATED);

        assertThatThrownBy(() -> client.createUser("CAROL", PASSWORD)).isInstanceOf(AlreadyExistsException.class);
        assertThatThrownBy(() -> client.listSessions("AAAAAAAAAAAAAAAAAAAAAA")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.revokeAllSessions("nope")).isInstanceOf(InvalidArgumentException.class);
        assertThat(client.validate(login.token()).isValid()).isTrue();
    }

    /** Under deny-new the refusal is typed, lists the sessions, and a login replacing one gets in. */
    @Test
    void aLoginPastTheSessionLimitIsTypedAndListsTheSessionsToEnd() {
        LoginResult first = signUpAndLogin("frank");
        LoginRequest denyNew = LoginRequest.newBuilder().setUsername("frank").setPassword(PASSWORD).setMaxSessions(1)
                .setSessionLimitPolicy(SessionLimitPolicy.SESSION_LIMIT_POLICY_DENY_NEW).build();

        SessionLimitReachedException refused = thrown(SessionLimitReachedException.class, () -> client.login(denyNew));
        assertThat(refused.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(refused.reason()).isEqualTo("SESSION_LIMIT_REACHED");
        assertThat(refused.isRetryable()).isFalse();
        assertThat(refused.maxSessions()).isEqualTo(1);
        assertThat(refused.liveSessions()).extracting(SessionInfo::sessionId).containsExactly(first.session().sessionId());

        LoginResult replacing = client.login(denyNew.toBuilder().setReplaceSessionId(refused.liveSessions().get(0).sessionId()).build());
        assertThat(client.validate(replacing.token()).isValid()).isTrue();
        assertThat(client.validate(first.token()).endReason()).isEqualTo(ValidationResult.EndReason.SESSION_LIMIT);
    }

    /** docs/USING.md's example: a plan of 3 screens; the 4th login asks which session to end. */
    @Test
    void theDocsSessionLimitExampleEndsTheChosenSession() {
        List<LoginResult> screens = new ArrayList<>();
        client.createUser("gina", PASSWORD);
        for (int i = 0; i < 3; i++) {
            screens.add(loginWithinThreeScreens("gina", PASSWORD, live -> {
                throw new AssertionError("room for a third screen");
            }));
        }
        LoginResult fourth = loginWithinThreeScreens("gina", PASSWORD, live -> live.get(0).sessionId());
        assertThat(client.validate(fourth.token()).isValid()).isTrue();
        assertThat(client.validate(screens.get(0).token()).endReason()).isEqualTo(ValidationResult.EndReason.SESSION_LIMIT);
        assertThat(client.validate(screens.get(2).token()).isValid()).isTrue();
    }

    private LoginResult loginWithinThreeScreens(String username, String password,
                                                java.util.function.Function<List<SessionInfo>, String> askWhichToEnd) {
        // README:session-limit:begin
        LoginRequest login = LoginRequest.newBuilder().setUsername(username).setPassword(password)
                .setSessionLimitPolicy(SessionLimitPolicy.SESSION_LIMIT_POLICY_DENY_NEW).setMaxSessions(3).build();
        try {
            return client.login(login);
        } catch (SessionLimitReachedException full) {
            String chosen = askWhichToEnd.apply(full.liveSessions()); // the user picks one of their sessions
            return client.login(login.toBuilder().setReplaceSessionId(chosen).build());
        }
        // README:session-limit:end
    }

    /** A lazily read import streams under flow control, reports progress, and its users log in. */
    @Test
    void importedUsersStreamInWithProgressAndLogIn() {
        // PBKDF2-SHA256 of "correct horse battery staple", salt 00…0f, as Spring Security 5.8 writes it (made by Python's hashlib).
        String hash = "{pbkdf2@SpringSecurity_v5_8}000102030405060708090a0b0c0d0e0f"
                + "7b8ad24392905caa0cc9ebb5b45a445371cca3ab69958986ede276f3458f73fa";
        java.util.Iterator<io.sessionauthority.v1.ImportUsersRequest> users = java.util.stream.IntStream.range(0, 2500)
                .mapToObj(i -> io.sessionauthority.v1.ImportUsersRequest.newBuilder().setUsername(i == 7 ? "" : "imported-" + i)
                        .setPasswordHash(hash).build())
                .iterator();
        List<Long> progress = java.util.Collections.synchronizedList(new ArrayList<>());

        ImportSummary summary = client.importUsers(users, progress::add, Duration.ofSeconds(60));

        assertThat(summary.imported()).isEqualTo(2499);
        assertThat(summary.skippedExisting()).isZero();
        assertThat(summary.refused()).isEqualTo(1);
        assertThat(summary.refusals()).singleElement().satisfies(refusal -> {
            assertThat(refusal.index()).isEqualTo(7);
            assertThat(refusal.reason()).isEqualTo("INVALID_FIELD");
            assertThat(refusal.message()).startsWith("username:");
        });
        assertThat(progress).containsExactly(1000L, 2000L, 2500L);
        assertThat(client.login("imported-2499", "correct horse battery staple", ClientInfo.none()).session().username())
                .isEqualTo("imported-2499");
    }

    @Test
    void redisDownIsUnavailableAndRetryable() {
        try (RedisServerProcess ownRedis = RedisServerProcess.start();
             ServiceUnderTest ownService = ServiceUnderTest.start(ownRedis.uri());
             SessionAuthorityClient ownClient = SessionAuthorityClient.builder("127.0.0.1:" + ownService.port())
                     .plaintext().deadline(Duration.ofSeconds(2)).build()) {
            ownClient.createUser("dave", PASSWORD);
            LoginResult login = ownClient.login("dave", PASSWORD, ClientInfo.none());
            ownRedis.kill();
            UnavailableException down = thrown(UnavailableException.class, () -> ownClient.validate(login.token()));
            assertThat(down.isRetryable()).isTrue();
            assertThat(down.code()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(down.reason()).isEqualTo("STORE_UNAVAILABLE");
        }
    }

    @Test
    void authorityDownIsUnavailableWithinTheDeadline() {
        int closedPort = RedisServerProcess.freePort();
        // A long deadline: failing with UNAVAILABLE (not DEADLINE_EXCEEDED) shows it did not wait for it.
        try (SessionAuthorityClient nowhere = SessionAuthorityClient.builder("127.0.0.1:" + closedPort).plaintext()
                .deadline(Duration.ofSeconds(30)).build()) {
            UnavailableException down = thrown(UnavailableException.class, () -> nowhere.validate("sat1_" + "A".repeat(64)));
            assertThat(down.code()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
            assertThat(down.isRetryable()).isTrue();
        }
    }

    @Test
    void aPassedDeadlineIsUnavailable() {
        LoginResult login = signUpAndLogin("erin");
        try (SessionAuthorityClient impatient = SessionAuthorityClient.builder("127.0.0.1:" + service.port())
                .plaintext().deadline(Duration.ofNanos(1)).build()) {
            // The first contact gets the connect budget on top of its deadline (a cold JVM); the next does not.
            assertThat(impatient.validate(login.token()).isValid()).isTrue();
            UnavailableException late = thrown(UnavailableException.class, () -> impatient.validate(login.token()));
            assertThat(late.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        }
    }

    @Test
    void aThrottledLoginCarriesItsRetryDelay() {
        try (RedisServerProcess ownRedis = RedisServerProcess.start();
             ServiceUnderTest ownService = ServiceUnderTest.start(ownRedis.uri(), Map.of(
                     "session-authority.passwords.hashing-threads", 1,
                     "session-authority.passwords.hashing-queue", 1));
             SessionAuthorityClient ownClient = SessionAuthorityClient.builder("127.0.0.1:" + ownService.port())
                     .plaintext().deadline(Duration.ofSeconds(30)).build()) {
            ownClient.createUser("frank", PASSWORD);
            List<CompletableFuture<LoginResult>> logins = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                logins.add(ownClient.loginAsync(LoginRequest.newBuilder().setUsername("frank").setPassword(PASSWORD).build()));
            }
            List<ThrottledException> throttled = new ArrayList<>();
            for (CompletableFuture<LoginResult> login : logins) {
                try {
                    login.join();
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(ThrottledException.class);
                    throttled.add((ThrottledException) e.getCause());
                }
            }
            assertThat(throttled).isNotEmpty().allSatisfy(t -> {
                assertThat(t.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                assertThat(t.isRetryable()).isTrue();
                assertThat(t.reason()).isEqualTo("PASSWORD_HASHING_BUSY");
            });
        }
    }

    @Test
    void dnsTargetsBalanceOverResolvedAddresses() {
        LoginResult login = signUpAndLogin("grace");
        try (SessionAuthorityClient viaDns = SessionAuthorityClient.builder("dns:///localhost:" + service.port())
                .plaintext().deadline(Duration.ofSeconds(5)).build()) {
            assertThat(viaDns.validate(login.token()).isValid()).isTrue();
        }
    }

    @Test
    void theCacheForgetsASessionTheMomentItIsRevokedElsewhere() {
        LoginResult login = signUpAndLogin("heidi");
        CountingListener hits = new CountingListener();
        try (SessionAuthorityClient cached = cachedClient(hits)) {
            awaitStreamHealthy(cached);
            assertThat(cached.validate(login.token()).isValid()).isTrue();
            // What the cache holds, not a hit count: a stream silent for a moment on a busy machine
            // makes one call a miss without anything being forgotten.
            assertThat(cached.cachedLiveAnswers()).as("the answer is cached").isEqualTo(1);
            assertThat(cached.validate(login.token()).isValid()).isTrue();

            long revoked = System.nanoTime();
            client.revokeToken(login.token()); // elsewhere: another client, another process in real life
            io.sessionauthority.service.testing.Await.until("the revoke seen by the cache", Duration.ofSeconds(10),
                    () -> !cached.validate(login.token()).isValid());
            System.out.printf("revocation seen by a cached client after %d ms%n", (System.nanoTime() - revoked) / 1_000_000);
            assertThat(cached.validate(login.token()).reason()).isEqualTo(ValidationResult.Reason.REVOKED);
            assertThat(cached.validate(login.token()).endReason()).isEqualTo(ValidationResult.EndReason.LOGOUT);
        }
    }

    @Test
    void revokeAllAndPasswordChangesEvictEveryCachedSessionButTheKeptOne() {
        LoginResult kept = signUpAndLogin("ivan");
        LoginResult other = client.login("ivan", PASSWORD, ClientInfo.none());
        LoginResult third = client.login("ivan", PASSWORD, ClientInfo.none());
        CountingListener hits = new CountingListener();
        try (SessionAuthorityClient cached = cachedClient(hits)) {
            awaitStreamHealthy(cached);
            for (LoginResult login : List.of(kept, other, third)) {
                assertThat(cached.validate(login.token()).isValid()).isTrue();
            }
            assertThat(cached.cachedLiveAnswers()).isEqualTo(3);
            client.revokeAllSessions(kept.session().userId(), kept.session().sessionId());
            io.sessionauthority.service.testing.Await.until("revoke-all seen by the cache", Duration.ofSeconds(10),
                    () -> !cached.validate(other.token()).isValid() && !cached.validate(third.token()).isValid());
            // What the revoke-all left in the cache, read directly: a hit count would also depend on
            // the stream staying healthy through the call (on a busy machine a silent stream makes
            // the cache serve only young answers for a while, without forgetting the others).
            assertThat(cached.cachedLiveAnswers()).as("the kept session is still cached, the others are not").isEqualTo(1);
            assertThat(cached.validate(kept.token()).isValid()).isTrue();

            client.changePassword(kept.session().userId(), PASSWORD, PASSWORD + "!");
            io.sessionauthority.service.testing.Await.until("the password change seen by the cache", Duration.ofSeconds(10),
                    () -> !cached.validate(kept.token()).isValid());
        }
    }

    @Test
    void withoutItsStreamTheCacheKeepsAnswersOnlyBriefly() {
        LoginResult login = signUpAndLogin("judy");
        MutableClock clock = MutableClock.startingNow();
        try (SessionAuthorityClient cached = SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext()
                .deadline(Duration.ofSeconds(5)).validationCache(100, Duration.ofMinutes(10)).revocationStream(false)
                .clock(clock).build()) {
            assertThat(cached.validate(login.token()).isValid()).isTrue();
            client.revokeToken(login.token()); // revoked elsewhere, and this client cannot hear of it
            assertThat(cached.validate(login.token()).isValid()).as("stale for at most the degraded age (1 s)").isTrue();
            clock.advance(Duration.ofMillis(1001));
            assertThat(cached.validate(login.token()).reason()).isEqualTo(ValidationResult.Reason.REVOKED);
        }
    }

    @Test
    void aLocalRevokeIsSeenAtOnceAndInvalidAnswersAreReusedBriefly() {
        LoginResult login = signUpAndLogin("kim");
        CountingListener hits = new CountingListener();
        try (SessionAuthorityClient cached = cachedClient(hits)) {
            assertThat(cached.validate(login.token()).isValid()).isTrue();
            cached.revokeToken(login.token());
            assertThat(cached.validate(login.token()).isValid()).isFalse();
            int before = hits.hits.get();
            assertThat(cached.validate(login.token()).reason()).isEqualTo(ValidationResult.Reason.REVOKED);
            assertThat(hits.hits.get()).as("the negative answer came from the cache").isEqualTo(before + 1);
        }
    }

    @Test
    void cachedSessionsStillSlideAtMostOncePerInterval() {
        LoginResult login = signUpAndLogin("lee");
        MutableClock clock = MutableClock.startingNow();
        CountingListener calls = new CountingListener();
        try (SessionAuthorityClient cached = SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext()
                .deadline(Duration.ofSeconds(5)).validationCache(100, Duration.ofMinutes(10)).slideSessions(Duration.ofMinutes(1))
                .listener(calls).clock(clock).build()) {
            awaitStreamHealthy(cached);
            clock.advance(Duration.ofMinutes(2));
            for (int i = 0; i < 50; i++) {
                assertThat(cached.validate(login.token()).isValid()).isTrue();
            }
            io.sessionauthority.service.testing.Await.until("one Touch sent", Duration.ofSeconds(5), () -> calls.touches.get() == 1);
            clock.advance(Duration.ofSeconds(30));
            cached.validate(login.token());
            clock.advance(Duration.ofSeconds(31));
            cached.validate(login.token());
            io.sessionauthority.service.testing.Await.until("a second Touch after the interval", Duration.ofSeconds(5),
                    () -> calls.touches.get() == 2);
        }
    }

    private SessionAuthorityClient cachedClient(ClientListener listener) {
        return SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext().deadline(Duration.ofSeconds(5))
                .validationCache(1_000, Duration.ofMinutes(10)).listener(listener).build();
    }

    /** Waits until cached answers are served for long: the stream is up (a cache hit on a fresh login proves it). */
    private void awaitStreamHealthy(SessionAuthorityClient cached) {
        io.sessionauthority.service.testing.Await.until("the revocation stream healthy", Duration.ofSeconds(10),
                cached::revocationStreamHealthy);
    }

    /** Counts cache hits and Touch calls. */
    private static final class CountingListener implements ClientListener {
        final java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger touches = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void onCacheHit(String method) {
            hits.incrementAndGet();
        }

        @Override
        public void onCall(String method, Duration latency, String outcome) {
            if ("Touch".equals(method)) {
                touches.incrementAndGet();
            }
        }
    }

    @Test
    void theBuilderRefusesUnsafeSettings() {
        assertThatThrownBy(() -> SessionAuthorityClient.builder("localhost:1").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("plaintext()");
        assertThatThrownBy(() -> SessionAuthorityClient.builder("localhost:1").validationCache(10, Duration.ofHours(25)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionAuthorityClient.builder("localhost:1").degradedCacheAge(Duration.ofSeconds(3)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionAuthorityClient.builder("localhost:1").deadline(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * After the authority restarts, calls work again promptly: the client resets gRPC's reconnect
     * backoff (which alone waited about 3 s after a short outage, longer after a long one) while it
     * is disconnected.
     */
    @Test
    void afterTheAuthorityRestartsCallsWorkAgainPromptly() {
        int port = RedisServerProcess.freePort();
        ServiceUnderTest first = ServiceUnderTest.start(redis.uri(), Map.of("grpc.server.port", port));
        try (SessionAuthorityClient own = SessionAuthorityClient.builder("127.0.0.1:" + port).plaintext().maxAttempts(1).build()) {
            own.awaitReady(Duration.ofSeconds(10));
            assertThat(own.validate("sat1_" + "A".repeat(64)).isValid()).isFalse();
            first.close();
            thrown(UnavailableException.class, () -> own.validate("sat1_" + "A".repeat(64)));
            // Down for six seconds, calls failing meanwhile: long enough for gRPC's own backoff to grow.
            long downUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < downUntil) {
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> own.validate("sat1_" + "A".repeat(64))))
                        .isInstanceOf(UnavailableException.class);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // the outage's own pace, not a wait for anything
            }
            try (ServiceUnderTest second = ServiceUnderTest.start(redis.uri(), Map.of("grpc.server.port", port))) {
                long back = System.nanoTime();
                io.sessionauthority.service.testing.Await.until("calls work again after the restart", Duration.ofSeconds(3), () -> {
                    try {
                        return !own.validate("sat1_" + "A".repeat(64)).isValid();
                    } catch (UnavailableException notYet) {
                        return false;
                    }
                });
                System.out.printf("reconnected %d ms after the authority was back%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back));
            }
        } finally {
            first.close();
        }
    }

    @Test
    void awaitReadyWaitsForTheAuthorityAndSaysWhenItCannotBeReached() {
        int closedPort = RedisServerProcess.freePort();
        try (SessionAuthorityClient nowhere = SessionAuthorityClient.builder("127.0.0.1:" + closedPort).plaintext().build()) {
            assertThat(thrown(UnavailableException.class, () -> nowhere.awaitReady(Duration.ofMillis(500))).isRetryable()).isTrue();
        }
        try (SessionAuthorityClient fresh = SessionAuthorityClient.builder("127.0.0.1:" + service.port()).plaintext().build()) {
            fresh.awaitReady(Duration.ofSeconds(10));
            assertThat(fresh.validate("sat1_" + "A".repeat(64)).reason()).isEqualTo(ValidationResult.Reason.UNKNOWN);
        }
    }

    /**
     * A service that starts before its authority waits for it: awaitReady retries until its timeout,
     * through refused connections. It once gave up at the first refused connection, after 0.4–1.1 s
     * of a 15 s wait, and the starter's start-up wait with it.
     */
    @Test
    void awaitReadyWaitsForAnAuthorityThatStartsLater() {
        int port = RedisServerProcess.freePort();
        java.util.concurrent.CompletableFuture<ServiceUnderTest> later = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_500)); // the scenario: the authority comes up after its client
            return ServiceUnderTest.start(redis.uri(), Map.of("grpc.server.port", port));
        });
        try (SessionAuthorityClient early = SessionAuthorityClient.builder("127.0.0.1:" + port).plaintext().build()) {
            early.awaitReady(Duration.ofSeconds(60));
            assertThat(early.validate("sat1_" + "A".repeat(64)).reason()).isEqualTo(ValidationResult.Reason.UNKNOWN);
        } finally {
            later.join().close();
        }
    }

    /** Users can build every outcome themselves, to test how their code handles it. */
    @Test
    void resultsAndFailuresCanBeMadeByUsersForTheirOwnTests() {
        assertThat(ValidationResult.invalid(ValidationResult.Reason.REVOKED).isValid()).isFalse();
        assertThat(ValidationResult.valid(SessionInfo.of(io.sessionauthority.v1.Session.newBuilder().setUserId("u").build())).session()).isPresent();
        assertThat(new UnavailableException(Status.Code.UNAVAILABLE, "STORE_UNAVAILABLE", "down", null).isRetryable()).isTrue();
        assertThat(new ThrottledException("LOGIN_THROTTLED", "wait", Duration.ofSeconds(60), null).retryAfter()).hasSeconds(60);
        assertThat(new MisconfiguredException(Status.Code.UNAVAILABLE, "TLS_FAILED", "wrong CA", null).isRetryable()).isFalse();
    }
}
