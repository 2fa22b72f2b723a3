package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.service.store.RedisSchema;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.ImportRefusal;
import io.sessionauthority.v1.ImportUsersRequest;
import io.sessionauthority.v1.ImportUsersResponse;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ImportUsers through the real service: each hash format imported, then logged in with, and
 * upgraded to the service's own bcrypt at that first login; existing users skipped (so a whole file
 * can be sent again); malformed requests refused on their own.
 */
@Tag("end-to-end")
class UserImportEndToEndTest {

    private static final String PASSWORD = "correct horse battery staple";
    /** Salt 00 01 … 0f; made by Python's hashlib, as Spring Security 5.8's Pbkdf2PasswordEncoder writes it. */
    private static final String PBKDF2_SHA256 = "{pbkdf2@SpringSecurity_v5_8}000102030405060708090a0b0c0d0e0f"
            + "7b8ad24392905caa0cc9ebb5b45a445371cca3ab69958986ede276f3458f73fa";
    /** Made by Spring Security 6.5.6: Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_5() (HMAC-SHA1, an 8-byte salt). */
    private static final String PBKDF2_SHA1 = "{pbkdf2}9eb6bdb941ab21137cc352bdfa6c7d3f9d4cbb577a0092e3c2a149d284369960b8cee5deafd481f9";
    /** Made by libxcrypt. */
    private static final String BCRYPT_2A = "$2a$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS";
    /** Made by the reference implementation's tool: {@code argon2 somesaltsomesalt -id -t 2 -m 14 -p 1 -e}. */
    private static final String ARGON2ID = "{argon2}$argon2id$v=19$m=16384,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qfoprj9ajhdUr6/5hZz/+c1WYOqhEfzbgZK4UD8v88k";
    private static final String BCRYPT_2Y = "{bcrypt}$2y$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS";

    private static ImportUsersRequest user(String username, String hash) {
        return ImportUsersRequest.newBuilder().setUsername(username).setPasswordHash(hash).build();
    }

    static ImportUsersResponse importUsers(ServiceUnderTest service, List<ImportUsersRequest> users) throws Exception {
        return importUsers(service.channel(), users);
    }

    /** One ImportUsers call of {@code users}: its summary, or its status thrown as a blocking call would. */
    static ImportUsersResponse importUsers(io.grpc.Channel channel, List<ImportUsersRequest> users) throws Exception {
        CompletableFuture<ImportUsersResponse> summary = new CompletableFuture<>();
        StreamObserver<ImportUsersRequest> requests = SessionAuthorityServiceGrpc.newStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS).importUsers(new StreamObserver<>() {
                    @Override
                    public void onNext(ImportUsersResponse value) {
                        summary.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        summary.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        users.forEach(requests::onNext);
        requests.onCompleted();
        try {
            return summary.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof io.grpc.StatusRuntimeException status) {
                throw status;
            }
            throw e;
        }
    }

    private static LoginResponse login(ServiceUnderTest service, String username) {
        return service.blocking().login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
    }

    private static String storedHash(RedisServerProcess redis, String userId) {
        return redis.commands().hget(RedisSchema.user(userId), "pw");
    }

    @Test
    void everyFormatLogsInOnceImportedAndIsUpgradedAtTheFirstLogin() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("taken").setPassword(PASSWORD).build());
            ImportUsersResponse summary = importUsers(service, List.of(
                    user("Ada", BCRYPT_2A),
                    user("grace", BCRYPT_2Y),
                    user("linus", PBKDF2_SHA1),
                    user("barbara", PBKDF2_SHA256),
                    user("margaret", ARGON2ID),
                    user("TAKEN", PBKDF2_SHA256),
                    user("noop", "{noop}" + PASSWORD),
                    user("", BCRYPT_2A)));

            assertThat(summary.getImported()).isEqualTo(5);
            assertThat(summary.getSkippedExisting()).isEqualTo(1);
            assertThat(summary.getRefused()).isEqualTo(2);
            assertThat(summary.getRefusalsList()).extracting(ImportRefusal::getIndex, ImportRefusal::getUsername, ImportRefusal::getReason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(6L, "noop", "INVALID_FIELD"),
                            org.assertj.core.groups.Tuple.tuple(7L, "", "INVALID_FIELD"));
            assertThat(summary.getRefusals(0).getMessage()).startsWith("password_hash:").doesNotContain(PASSWORD);

            for (String username : List.of("ada", "grace", "linus", "barbara", "margaret")) {
                expectStatus(Status.Code.UNAUTHENTICATED, () -> service.blocking().login(LoginRequest.newBuilder().setUsername(username)
                        .setPassword(PASSWORD + "?").build()));
                LoginResponse first = login(service, username);
                String userId = first.getSession().getUserId();
                assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(first.getToken()).build()).getValid()).isTrue();
                Await.until(username + "'s hash upgraded", Duration.ofSeconds(10), () -> storedHash(redis, userId).matches("\\$2b\\$[0-9]{2}\\$.{53}"));
                assertThat(login(service, username).getSession().getUserId()).as("the upgraded hash logs in").isEqualTo(userId);
                expectStatus(Status.Code.UNAUTHENTICATED, () -> service.blocking().login(LoginRequest.newBuilder().setUsername(username)
                        .setPassword(PASSWORD + "?").build()));
            }
            assertThat(login(service, "taken").getSession().getUsername()).as("the existing user is untouched").isEqualTo("taken");
        }
    }

    /** Redis gone: the call ends UNAVAILABLE (retry by sending the same users), never with a summary that hides it. */
    @Test
    void redisDownEndsTheImportUnavailable() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri())) {
            redis.kill();
            List<ImportUsersRequest> users = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                users.add(user("stranded-" + i, BCRYPT_2A));
            }
            io.grpc.StatusRuntimeException failed = org.assertj.core.api.Assertions.catchThrowableOfType(
                    io.grpc.StatusRuntimeException.class, () -> importUsers(service, users));
            assertThat(failed).as("the import failed with a status").isNotNull();
            assertThat(failed.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        }
    }

    /** An import that stopped half way is resumed by sending the whole file again: nothing twice. */
    @Test
    void sendingTheSameUsersAgainImportsOnlyTheRest() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), Map.of())) {
            List<ImportUsersRequest> file = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                file.add(user("user-" + i, i % 2 == 0 ? BCRYPT_2A : PBKDF2_SHA256));
            }
            ImportUsersResponse firstHalf = importUsers(service, file.subList(0, 250));
            assertThat(firstHalf.getImported()).isEqualTo(250);

            ImportUsersResponse resumed = importUsers(service, file);
            assertThat(resumed.getImported()).isEqualTo(250);
            assertThat(resumed.getSkippedExisting()).isEqualTo(250);
            assertThat(resumed.getRefused()).isZero();
            assertThat(redis.commands().keys(RedisSchema.username("user-*"))).hasSize(500);
            assertThat(login(service, "user-499").getSession().getUsername()).isEqualTo("user-499");
        }
    }
}
