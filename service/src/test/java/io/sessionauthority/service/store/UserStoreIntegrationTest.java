package io.sessionauthority.service.store;

import static io.sessionauthority.service.testing.DomainFixture.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.error.AlreadyExistsException;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.NotFoundException;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.SessionStatus;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.user.PasswordHasher;
import io.sessionauthority.service.user.User;
import io.sessionauthority.service.user.UserIds;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("redis")
class UserStoreIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();
    private DomainFixture domain;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        domain = new DomainFixture(REDIS.uri());
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    @Test
    void aTakenUsernameIsRefusedWhateverItsSpelling() {
        domain.createUser("bob");
        assertThatThrownBy(() -> join(domain.users.create("  BOB ", "another password")))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(AlreadyExistsException.class)
                .hasMessageContaining("'bob' is taken");
    }

    @Test
    void twoCallersRacingForOneNameGetExactlyOneWinner() throws Exception {
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        // Hash first, then race only the store step, so the racers really reach Redis together.
        String hash = new PasswordHasher(10, new SecureRandom()).hash("race password");
        for (int i = 0; i < racers; i++) {
            results.add(pool.submit(() -> {
                start.await();
                User user = new User(UserIds.newId(new SecureRandom()), "carol", hash, domain.clock.instant());
                return join(domain.userStore.insert(user, "carol"));
            }));
        }
        start.countDown();
        int winners = 0;
        for (Future<Boolean> result : results) {
            winners += result.get() ? 1 : 0;
        }
        pool.shutdown();

        assertThat(winners).isEqualTo(1);
        assertThat(REDIS.commands().keys("sa:{*}:user")).hasSize(1); // the losers left nothing behind
        assertThat(REDIS.commands().get(RedisSchema.username("carol"))).isNotNull();
    }

    @Test
    void racingCreateUserCallsThroughTheServiceGiveOneUser() {
        List<CompletableFuture<User>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(domain.users.create("dave", "password-" + i).toCompletableFuture());
        }
        long created = calls.stream().filter(call -> {
            try {
                call.join();
                return true;
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(AlreadyExistsException.class);
                return false;
            }
        }).count();
        assertThat(created).isEqualTo(1);
    }

    @Test
    void unknownUserAndWrongPasswordFailAlike() {
        domain.createUser("erin");
        Throwable unknown = catchCause(() -> join(domain.users.authenticate("nobody-here", "password-erin")));
        Throwable wrong = catchCause(() -> join(domain.users.authenticate("erin", "not her password")));
        assertThat(unknown).isInstanceOf(InvalidCredentialsException.class);
        assertThat(wrong).isInstanceOf(InvalidCredentialsException.class);
        assertThat(unknown.getMessage()).isEqualTo(wrong.getMessage());
    }

    @Test
    void changePasswordRevokesEveryOtherSessionAtomically() {
        User frank = domain.createUser("frank");
        SessionService.Started current = domain.login("frank");
        SessionService.Started other = domain.login("frank");

        int revoked = join(domain.users.changePassword(frank.id(), "password-frank", "a brand new password",
                current.session().sessionId(), "", ""));

        assertThat(revoked).isEqualTo(1);
        assertThat(join(domain.sessions.validate(current.token())).isLive()).isTrue();
        assertThat(join(domain.sessions.validate(other.token())).status()).isEqualTo(SessionStatus.REVOKED);
        assertThat(join(domain.users.authenticate("frank", "a brand new password")).id()).isEqualTo(frank.id());
        assertThatThrownBy(() -> join(domain.users.authenticate("frank", "password-frank")))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InvalidCredentialsException.class);
    }

    @Test
    void changePasswordWithAWrongCurrentPasswordChangesNothing() {
        User grace = domain.createUser("grace");
        SessionService.Started session = domain.login("grace");
        assertThatThrownBy(() -> join(domain.users.changePassword(grace.id(), "wrong", "a brand new password", "", "", "")))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InvalidCredentialsException.class);
        assertThat(join(domain.sessions.validate(session.token())).isLive()).isTrue();
        assertThat(join(domain.users.authenticate("grace", "password-grace")).id()).isEqualTo(grace.id());
    }

    @Test
    void changePasswordOfAnUnknownUserIsNotFound() {
        assertThatThrownBy(() -> join(domain.users.changePassword(UserIds.newId(new SecureRandom()), "whatever1", "whatever2", "", "", "")))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(NotFoundException.class);
    }

    @Test
    void aLoginUpgradesAHashMadeAtALowerCost() throws Exception {
        User heidi = domain.createUser("heidi");
        // A hash from before the cost was raised: same password, cost 4 (bcrypt's minimum).
        String weak = at.favre.lib.crypto.bcrypt.BCrypt.with(at.favre.lib.crypto.bcrypt.BCrypt.Version.VERSION_2B)
                .hashToString(4, prehashedForTest("password-heidi"));
        REDIS.commands().hset(RedisSchema.user(heidi.id()), "pw", weak);

        assertThat(join(domain.users.authenticate("heidi", "password-heidi")).id()).isEqualTo(heidi.id());

        String upgraded = awaitHashChange(heidi.id(), weak);
        assertThat(upgraded).startsWith("$2b$10$");
        assertThat(join(domain.users.authenticate("heidi", "password-heidi")).id()).isEqualTo(heidi.id());
    }

    private static char[] prehashedForTest(String password) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA384");
        mac.init(new javax.crypto.spec.SecretKeySpec("session-authority/password-prehash/v1".getBytes(), "HmacSHA384"));
        return java.util.Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toCharArray();
    }

    private static String awaitHashChange(String userId, String old) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            String now = REDIS.commands().hget(RedisSchema.user(userId), "pw");
            if (!now.equals(old)) {
                return now;
            }
            Thread.sleep(20);
        }
        return old;
    }

    private static Throwable catchCause(Runnable call) {
        try {
            call.run();
            throw new AssertionError("expected a failure");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    /**
     * A password change that loses a race against another one changes nothing and says so
     * (ABORTED on the wire): the other change lands between this one's check and its write, which
     * the store is wrapped here to make happen every time.
     */
    @Test
    void aPasswordChangeRacingAnotherOneIsAConflictAndChangesNothing() {
        User ivy = domain.createUser("ivy");
        io.sessionauthority.service.user.UserStore racing = new io.sessionauthority.service.user.UserStore() {
            public java.util.concurrent.CompletionStage<Boolean> insert(User user, String skeleton) {
                return domain.userStore.insert(user, skeleton);
            }

            public java.util.concurrent.CompletionStage<java.util.Optional<User>> findByUsername(String username) {
                return domain.userStore.findByUsername(username);
            }

            public java.util.concurrent.CompletionStage<java.util.Optional<User>> findById(String userId) {
                return domain.userStore.findById(userId);
            }

            public java.util.concurrent.CompletionStage<Boolean> replaceHash(String userId, String expectedHash, String newHash) {
                return domain.userStore.replaceHash(userId, expectedHash, newHash);
            }

            public java.util.concurrent.CompletionStage<Void> claimLookalike(String skeleton, String userId) {
                return domain.userStore.claimLookalike(skeleton, userId);
            }

            public java.util.concurrent.CompletionStage<java.util.Optional<Integer>> changePassword(String userId, String expectedHash,
                    String newHash, String keepSessionId, String keepDeviceId, java.time.Instant now, java.time.Duration forgetAfter) {
                // The other change wins the race: it lands first.
                String otherHash = new PasswordHasher(10, new SecureRandom()).hash("the other new password");
                join(domain.userStore.replaceHash(userId, expectedHash, otherHash));
                return domain.userStore.changePassword(userId, expectedHash, newHash, keepSessionId, keepDeviceId, now, forgetAfter);
            }
        };
        io.sessionauthority.service.user.UserService users = new io.sessionauthority.service.user.UserService(racing,
                new io.sessionauthority.service.user.PasswordPolicy(8, 256), new PasswordHasher(10, new SecureRandom()),
                domain.hashingPool, domain.throttle, domain.revocations, Duration.ofHours(1), domain.clock, new SecureRandom());

        assertThatThrownBy(() -> join(users.changePassword(ivy.id(), "password-ivy", "a brand new password", "", "", "")))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(io.sessionauthority.service.error.ConflictException.class);
        // The winner's password holds; the loser's never landed.
        assertThat(join(domain.users.authenticate("ivy", "the other new password")).id()).isEqualTo(ivy.id());
        assertThatThrownBy(() -> join(domain.users.authenticate("ivy", "a brand new password")))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(InvalidCredentialsException.class);
    }
}
