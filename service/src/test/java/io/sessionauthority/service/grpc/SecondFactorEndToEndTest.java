package io.sessionauthority.service.grpc;

import static io.sessionauthority.service.testing.GrpcErrors.expectStatus;
import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.io.BaseEncoding;
import com.google.protobuf.Duration;
import io.grpc.Status;
import io.sessionauthority.service.secondfactor.Totp;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.MutableClock;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.AssuranceLevel;
import io.sessionauthority.v1.ConfirmTotpRequest;
import io.sessionauthority.v1.ConfirmTotpResponse;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.DisableTotpRequest;
import io.sessionauthority.v1.EnrollTotpRequest;
import io.sessionauthority.v1.EnrollTotpResponse;
import io.sessionauthority.v1.InvalidReason;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.StepUpRequest;
import io.sessionauthority.v1.StepUpResponse;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.ValidateResponse;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Step-up and the TOTP second factor through the real service: enrolment, login with and without
 * the factor, step-up of an existing session, Validate requiring AAL2 and a maximum age, replayed
 * and recovery codes, throttled guessing, encryption at rest and a key rotation, and a second
 * replica's memory following a step-up.
 */
@Tag("end-to-end")
class SecondFactorEndToEndTest {

    private static final java.time.Duration WITHIN = java.time.Duration.ofSeconds(10);
    private static final String K1 = key();
    private static final String K2 = key();

    private static RedisServerProcess redis;
    private static final MutableClock CLOCK = MutableClock.startingNow();
    private static ServiceUnderTest service;

    private static String key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.second-factor.keys", "k1:" + K1,
                "session-authority.second-factor.active-key", "k1", "session-authority.login-throttle.max-failures", 5), CLOCK);
    }

    @AfterAll
    static void stop() {
        service.close();
        redis.close();
    }

    private static LoginResponse signUpAndLogin(String username) {
        service.blocking().createUser(CreateUserRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
        return login(service, username);
    }

    private static LoginResponse login(ServiceUnderTest on, String username) {
        return on.blocking().login(LoginRequest.newBuilder().setUsername(username).setPassword(PASSWORD).build());
    }

    private static ValidateResponse validate(ServiceUnderTest on, String token, AssuranceLevel level, java.time.Duration maxAge) {
        ValidateRequest.Builder request = ValidateRequest.newBuilder().setToken(token).setMinAal(level);
        if (maxAge != null) {
            request.setMaxAuthAge(Duration.newBuilder().setSeconds(maxAge.getSeconds()));
        }
        return on.blocking().validate(request.build());
    }

    private static StepUpResponse stepUp(ServiceUnderTest on, String token, String code) {
        return on.blocking().stepUp(StepUpRequest.newBuilder().setToken(token).setCode(code).build());
    }

    /** Enrols and confirms a factor for the user of {@code token}: its secret, and the recovery codes. */
    private record Factor(byte[] secret, java.util.List<String> recoveryCodes) {
        String code() {
            return Totp.codeAt(secret, CLOCK.instant());
        }
    }

    private static Factor enroll(ServiceUnderTest on, String token) {
        EnrollTotpResponse enrolled = on.blocking().enrollTotp(EnrollTotpRequest.newBuilder().setToken(token).setIssuer("Acme").build());
        assertThat(enrolled.getOtpauthUri()).startsWith("otpauth://totp/Acme:").contains("secret=" + enrolled.getSecret())
                .contains("issuer=Acme").contains("digits=6").contains("period=30");
        byte[] secret = BaseEncoding.base32().omitPadding().decode(enrolled.getSecret());
        ConfirmTotpResponse confirmed = on.blocking().confirmTotp(ConfirmTotpRequest.newBuilder().setToken(token)
                .setCode(Totp.codeAt(secret, CLOCK.instant())).build());
        assertThat(confirmed.getRecoveryCodesList()).hasSize(10).doesNotHaveDuplicates();
        assertThat(confirmed.getSession().getAal()).as("the confirming session proved the factor").isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL2);
        CLOCK.advance(java.time.Duration.ofSeconds(30)); // the confirming code's step is used up
        return new Factor(secret, confirmed.getRecoveryCodesList());
    }

    @Test
    void aPasswordSessionStepsUpAndValidateAsksForAal2AndAMaximumAge() {
        LoginResponse login = signUpAndLogin("paula");
        assertThat(login.getSecondFactorRequired()).isFalse();
        assertThat(login.getSession().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL1);
        assertThat(login.getSession().getAmrList()).containsExactly("pwd");

        ValidateResponse aal1 = validate(service, login.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, null);
        assertThat(aal1.getValid()).isFalse();
        assertThat(aal1.getReason()).isEqualTo(InvalidReason.INVALID_REASON_STEP_UP_REQUIRED);
        assertThat(aal1.getStepUp().getRequiredAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL2);
        assertThat(aal1.getStepUp().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL1);
        assertThat(validate(service, login.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null).getValid()).isTrue();
        expectStatus(Status.Code.FAILED_PRECONDITION, () -> stepUp(service, login.getToken(), "123456"));

        LoginResponse other = login(service, "paula"); // a second password session, from before the factor
        Factor factor = enroll(service, login.getToken());
        ValidateResponse stepped = validate(service, login.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, java.time.Duration.ofMinutes(5));
        assertThat(stepped.getValid()).as("confirming stepped the session up").isTrue();
        assertThat(stepped.getSession().getAmrList()).containsExactly("pwd", "otp");

        CLOCK.advance(java.time.Duration.ofMinutes(6));
        ValidateResponse tooOld = validate(service, login.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, java.time.Duration.ofMinutes(5));
        assertThat(tooOld.getReason()).isEqualTo(InvalidReason.INVALID_REASON_STEP_UP_REQUIRED);
        assertThat(tooOld.getStepUp().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL2);
        assertThat(tooOld.getStepUp().getMaxAuthAge().getSeconds()).isEqualTo(300);

        StepUpResponse again = stepUp(service, login.getToken(), factor.code());
        assertThat(again.getValid()).isTrue();
        assertThat(again.getSession().getAuthTime().getSeconds()).isEqualTo(CLOCK.instant().getEpochSecond());
        assertThat(validate(service, again.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, java.time.Duration.ofMinutes(5)).getValid()).isTrue();
        // The token the step-up replaced keeps its own authentication for its grace: AAL2, but 6 minutes old.
        ValidateResponse replaced = validate(service, login.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, java.time.Duration.ofMinutes(5));
        assertThat(replaced.getReason()).isEqualTo(InvalidReason.INVALID_REASON_STEP_UP_REQUIRED);
        assertThat(replaced.getStepUp().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL2);

        // A password session refreshes, then steps up within the refresh's grace: both tokens it replaced stay
        // AAL1, each for its own grace.
        io.sessionauthority.v1.RefreshResponse refreshed = service.blocking().refresh(
                io.sessionauthority.v1.RefreshRequest.newBuilder().setToken(other.getToken()).build());
        CLOCK.advance(java.time.Duration.ofSeconds(5));
        StepUpResponse raised = stepUp(service, refreshed.getToken(), Totp.codeAt(factor.secret(), CLOCK.instant().plusSeconds(30)));
        assertThat(raised.getSession().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL2);
        Map<String, com.google.protobuf.Timestamp> graces = Map.of(other.getToken(), refreshed.getPreviousTokenGraceEndTime(),
                refreshed.getToken(), raised.getPreviousTokenGraceEndTime());
        assertThat(refreshed.getPreviousTokenGraceEndTime()).isNotEqualTo(raised.getPreviousTokenGraceEndTime());
        graces.forEach((replacedToken, graceEnd) -> {
            ValidateResponse copy = validate(service, replacedToken, AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null);
            assertThat(copy.getValid()).isTrue();
            assertThat(copy.getSession().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL1);
            assertThat(copy.getSession().getAmrList()).containsExactly("pwd");
            assertThat(copy.getTokenGraceEndTime()).isEqualTo(graceEnd);
            assertThat(validate(service, replacedToken, AssuranceLevel.ASSURANCE_LEVEL_AAL2, null).getStepUp().getAal())
                    .isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL1);
        });
        assertThat(validate(service, raised.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, null).getValid()).isTrue();
        // An AAL1 copy is a session's token all the same: its Touch (a request on its way) lands.
        io.sessionauthority.v1.TouchResponse touched = service.blocking().touch(io.sessionauthority.v1.TouchRequest.newBuilder()
                .setToken(refreshed.getToken()).putSetAttributes("page", "/settings").build());
        assertThat(touched.getValid()).isTrue();
        assertThat(touched.getSession().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL1);
        assertThat(validate(service, raised.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, null).getSession().getAttributesMap())
                .containsEntry("page", "/settings");
    }

    private static io.envoyproxy.envoy.service.auth.v3.CheckResponse check(String token, Map<String, String> routeNeeds) {
        return io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc.newBlockingStub(service.channel())
                .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                .check(io.envoyproxy.envoy.service.auth.v3.CheckRequest.newBuilder().setAttributes(
                        io.envoyproxy.envoy.service.auth.v3.AttributeContext.newBuilder()
                                .putAllContextExtensions(routeNeeds)
                                .setRequest(io.envoyproxy.envoy.service.auth.v3.AttributeContext.Request.newBuilder()
                                        .setHttp(io.envoyproxy.envoy.service.auth.v3.AttributeContext.HttpRequest.newBuilder()
                                                .setMethod("POST").setPath("/payments")
                                                .putHeaders("authorization", "Bearer " + token)))).build());
    }

    @Test
    void anEnvoyRouteThatNeedsAal2DeniesAPasswordSessionWithAStepUpChallenge() {
        LoginResponse login = signUpAndLogin("vera");
        Map<String, String> payments = Map.of("min_aal", "2", "max_auth_age", "600");
        assertThat(check(login.getToken(), Map.of()).getStatus().getCode()).as("a route that needs nothing").isZero();

        io.envoyproxy.envoy.service.auth.v3.CheckResponse denied = check(login.getToken(), payments);
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
        assertThat(denied.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
        assertThat(denied.getDeniedResponse().getBody()).contains("step_up_required");
        assertThat(denied.getDeniedResponse().getHeadersList()).anySatisfy(header -> {
            assertThat(header.getHeader().getKey()).isEqualTo("www-authenticate");
            assertThat(header.getHeader().getValue()).contains("insufficient_user_authentication").contains("acr_values=\"aal2\"")
                    .contains("max_age=600");
        });

        enroll(service, login.getToken());
        assertThat(check(login.getToken(), payments).getStatus().getCode()).as("stepped up by confirming").isZero();
        CLOCK.advance(java.time.Duration.ofMinutes(11));
        assertThat(check(login.getToken(), payments).getStatus().getCode()).as("too long ago for this route")
                .isEqualTo(Status.Code.UNAUTHENTICATED.value());
    }

    @Test
    void aUserWithAFactorLogsInInTwoHalvesAndACodeWorksOnce() {
        LoginResponse first = signUpAndLogin("quinn");
        Factor factor = enroll(service, first.getToken());

        LoginResponse half = login(service, "quinn");
        assertThat(half.getSecondFactorRequired()).isTrue();
        assertThat(half.getSession().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED);
        ValidateResponse pending = validate(service, half.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null);
        assertThat(pending.getValid()).as("no Validate accepts the first half").isFalse();
        assertThat(pending.getStepUp().getSecondFactorPending()).isTrue();
        assertThat(service.blocking().touch(io.sessionauthority.v1.TouchRequest.newBuilder().setToken(half.getToken())
                .putSetAttributes("cart", "42").build()).getValid()).as("nor any Touch").isFalse();
        assertThat(half.getSession().getExpireTime().getSeconds() - half.getSession().getCreateTime().getSeconds()).isEqualTo(300);

        java.util.function.Supplier<java.util.List<String>> listed = () -> service.blocking().listSessions(
                io.sessionauthority.v1.ListSessionsRequest.newBuilder().setUserId(half.getSession().getUserId()).build())
                .getSessionsList().stream().map(io.sessionauthority.v1.Session::getSessionId).toList();
        assertThat(listed.get()).as("a password alone takes no place among the user's sessions")
                .doesNotContain(half.getSession().getSessionId());
        String code = factor.code();
        StepUpResponse completed = stepUp(service, half.getToken(), code);
        assertThat(listed.get()).contains(half.getSession().getSessionId());
        assertThat(completed.getValid()).isTrue();
        assertThat(completed.getSession().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL2);
        assertThat(completed.getSession().getAttributesMap()).as("which changed nothing").doesNotContainKey("cart");
        assertThat(completed.getSession().getExpireTime().getSeconds() - completed.getSession().getCreateTime().getSeconds())
                .as("a whole session's lifetime now").isEqualTo(12 * 3600);
        assertThat(completed.getToken()).as("the completed login's own token").startsWith("sat2_");
        assertThat(validate(service, completed.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, null).getValid()).isTrue();
        ValidateResponse firstHalf = validate(service, half.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null);
        assertThat(firstHalf.getValid()).as("the first half's token, in the rotation grace, is still only a first half").isFalse();
        assertThat(firstHalf.getStepUp().getSecondFactorPending()).isTrue();

        // The same code again, on another session of the user: a replay.
        LoginResponse other = login(service, "quinn");
        expectStatus(Status.Code.UNAUTHENTICATED, () -> stepUp(service, other.getToken(), code));
        // The next step's code is within the window, and a later one than any used: accepted.
        assertThat(stepUp(service, other.getToken(), Totp.codeAt(factor.secret(), CLOCK.instant().plusSeconds(30))).getValid()).isTrue();
    }

    @Test
    void steppingUpReplacesTheTokenSoACopyTakenBeforeEndsTheSession() {
        LoginResponse first = signUpAndLogin("rhea");
        Factor factor = enroll(service, first.getToken());
        LoginResponse stolen = login(service, "rhea"); // say a copy of this token leaked before the step-up
        assertThat(stolen.getSecondFactorRequired()).isTrue();

        String code = factor.code();
        StepUpResponse stepped = stepUp(service, stolen.getToken(), code);
        assertThat(stepped.getValid()).isTrue();
        assertThat(stepped.getToken()).startsWith("sat2_").isNotEqualTo(stolen.getToken());
        assertThat(stepped.getSession().getSessionId()).as("the same session").isEqualTo(stolen.getSession().getSessionId());
        assertThat(stepped.getPreviousTokenGraceEndTime().getSeconds())
                .isEqualTo(CLOCK.instant().plusSeconds(30).getEpochSecond());
        // The same step-up again (its answer lost, say): the same new token, nothing written.
        StepUpResponse retried = stepUp(service, stolen.getToken(), code);
        assertThat(retried.getToken()).isEqualTo(stepped.getToken());
        assertThat(retried.getPreviousTokenGraceEndTime()).isEqualTo(stepped.getPreviousTokenGraceEndTime());
        // Anything else with the replaced token gets no token of the higher level: another code...
        String next = Totp.codeAt(factor.secret(), CLOCK.instant().plusSeconds(30));
        expectStatus(Status.Code.FAILED_PRECONDITION, () -> stepUp(service, stolen.getToken(), next));
        // ...or a Refresh, which for a token a Refresh replaced would derive its successor again.
        io.sessionauthority.v1.RefreshResponse refreshed = service.blocking().refresh(
                io.sessionauthority.v1.RefreshRequest.newBuilder().setToken(stolen.getToken()).build());
        assertThat(refreshed.getToken()).as("no successor for a token a step-up replaced").isEmpty();
        assertThat(refreshed.getValid()).as("the copy is still the first half of a login").isFalse();
        // Within the grace the copy keeps its own level, not the session's new one, and changes nothing...
        ValidateResponse copy = validate(service, stolen.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null);
        assertThat(copy.getValid()).isFalse();
        assertThat(copy.getStepUp().getSecondFactorPending()).isTrue();
        io.sessionauthority.v1.TouchResponse touched = service.blocking().touch(io.sessionauthority.v1.TouchRequest.newBuilder()
                .setToken(stolen.getToken()).putSetAttributes("role", "admin").build());
        assertThat(touched.getValid()).isFalse();
        assertThat(validate(service, stepped.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, null).getSession().getAttributesMap())
                .doesNotContainKey("role");
        assertThat(validate(service, stepped.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, null).getValid()).isTrue();
        // ...and keeps it when the rightful holder refreshes within that grace; no retry gets it a token then.
        CLOCK.advance(java.time.Duration.ofSeconds(5));
        io.sessionauthority.v1.RefreshResponse later = service.blocking().refresh(
                io.sessionauthority.v1.RefreshRequest.newBuilder().setToken(stepped.getToken()).build());
        assertThat(later.getToken()).startsWith("sat2_").isNotEqualTo(stepped.getToken());
        ValidateResponse stillHalf = validate(service, stolen.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null);
        assertThat(stillHalf.getStepUp().getSecondFactorPending()).isTrue();
        String sessionKey = "sa:{" + stolen.getSession().getUserId() + "}:s:" + stolen.getSession().getSessionId();
        String lastSeen = redis.commands().hget(sessionKey, "ls");
        CLOCK.advance(java.time.Duration.ofSeconds(1));
        assertThat(service.blocking().touch(io.sessionauthority.v1.TouchRequest.newBuilder().setToken(stolen.getToken())
                .putSetAttributes("role", "admin").build()).getValid()).isFalse();
        assertThat(redis.commands().hget(sessionKey, "ls")).as("not even its expiry slid").isEqualTo(lastSeen);
        assertThat(redis.commands().hexists(sessionKey, "a:role")).isFalse();
        assertThat(stillHalf.getTokenGraceEndTime()).as("its own grace").isEqualTo(stepped.getPreviousTokenGraceEndTime());
        expectStatus(Status.Code.FAILED_PRECONDITION, () -> stepUp(service, stolen.getToken(), code));
        assertThat(validate(service, later.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, null).getValid()).isTrue();

        CLOCK.advance(java.time.Duration.ofSeconds(31));
        ValidateResponse reused = validate(service, stolen.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null);
        assertThat(reused.getValid()).isFalse();
        assertThat(reused.getEndReason()).isEqualTo(io.sessionauthority.v1.SessionEndReason.SESSION_END_REASON_TOKEN_REUSE);
        assertThat(validate(service, stepped.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null).getValid())
                .as("the session ended, for its rightful holder too").isFalse();
    }

    @Test
    void confirmingAFactorRaisesTheSessionButNotATokenARefreshReplacedJustBefore() {
        LoginResponse login = signUpAndLogin("ivy");
        io.sessionauthority.v1.RefreshResponse refreshed = service.blocking().refresh(
                io.sessionauthority.v1.RefreshRequest.newBuilder().setToken(login.getToken()).build());
        EnrollTotpResponse enrolled = service.blocking().enrollTotp(EnrollTotpRequest.newBuilder().setToken(refreshed.getToken()).build());
        byte[] secret = BaseEncoding.base32().omitPadding().decode(enrolled.getSecret());
        String code = Totp.codeAt(secret, CLOCK.instant());
        ConfirmTotpResponse confirmed = service.blocking().confirmTotp(ConfirmTotpRequest.newBuilder().setToken(refreshed.getToken())
                .setCode(code).build());
        assertThat(confirmed.getSession().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL2);

        ValidateResponse copy = validate(service, login.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null);
        assertThat(copy.getValid()).as("within the refresh's grace").isTrue();
        assertThat(copy.getSession().getAal()).isEqualTo(AssuranceLevel.ASSURANCE_LEVEL_AAL1);
        assertThat(copy.getTokenGraceEndTime()).isEqualTo(refreshed.getPreviousTokenGraceEndTime());
        assertThat(service.blocking().refresh(io.sessionauthority.v1.RefreshRequest.newBuilder().setToken(login.getToken()).build())
                .getToken()).as("no successor of the higher level for it").isEmpty();
        // Nor is a StepUp with it and the confirming code taken for a retry that may get the new token again.
        expectStatus(Status.Code.FAILED_PRECONDITION, () -> stepUp(service, login.getToken(), code));
        assertThat(validate(service, refreshed.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, null).getValid()).isTrue();
    }

    @Test
    void aRecoveryCodeWorksOnceAndTheSecretIsEncryptedAtRest() {
        LoginResponse first = signUpAndLogin("rosa");
        Factor factor = enroll(service, first.getToken());
        String stored = redis.commands().hget("sa:{" + first.getSession().getUserId() + "}:user", "tfs");
        assertThat(stored).startsWith("k1:");
        assertThat(stored).doesNotContain(BaseEncoding.base32().omitPadding().encode(factor.secret()))
                .doesNotContain(Base64.getEncoder().encodeToString(factor.secret()).substring(0, 20));
        assertThat(redis.commands().hget("sa:{" + first.getSession().getUserId() + "}:user", "tfr"))
                .doesNotContain(factor.recoveryCodes().get(0).replace("-", ""));

        LoginResponse half = login(service, "rosa");
        StepUpResponse recovered = stepUp(service, half.getToken(), factor.recoveryCodes().get(3).toLowerCase());
        assertThat(recovered.getValid()).isTrue();
        assertThat(recovered.getRecoveryCodesLeft()).isEqualTo(9);
        LoginResponse again = login(service, "rosa");
        expectStatus(Status.Code.UNAUTHENTICATED, () -> stepUp(service, again.getToken(), factor.recoveryCodes().get(3)));
    }

    @Test
    void guessingCodesIsThrottledAsGuessingPasswordsIs() {
        LoginResponse first = signUpAndLogin("sven");
        Factor factor = enroll(service, first.getToken());
        LoginResponse half = login(service, "sven");
        java.util.Set<String> valid = new java.util.HashSet<>();
        for (int step = -1; step <= 1; step++) {
            valid.add(Totp.codeAt(factor.secret(), CLOCK.instant().plusSeconds(30L * step)));
        }
        String wrong = valid.contains("000000") || valid.contains("111111") ? "222222" : "000000";
        StepUpRequest guess = StepUpRequest.newBuilder().setToken(half.getToken()).setCode(wrong)
                .setClient(io.sessionauthority.v1.ClientMetadata.newBuilder().setIpAddress("203.0.113.9")).build();
        for (int i = 0; i < 5; i++) {
            expectStatus(Status.Code.UNAUTHENTICATED, () -> service.blocking().stepUp(guess));
        }
        // A password login between guesses starts no counter of the second factor over.
        LoginResponse again = login(service, "sven");
        StepUpRequest more = guess.toBuilder().setToken(again.getToken()).build();
        for (int i = 0; i < 5; i++) {
            expectStatus(Status.Code.UNAUTHENTICATED, () -> service.blocking().stepUp(more));
        }
        expectStatus(Status.Code.RESOURCE_EXHAUSTED, () -> service.blocking().stepUp(guess));
        // Locked before any code is checked: even the right one waits out the lock.
        expectStatus(Status.Code.RESOURCE_EXHAUSTED, () -> service.blocking().stepUp(guess.toBuilder().setCode(factor.code()).build()));
    }

    @Test
    void enrollingNeedsARecentLogin() {
        LoginResponse login = signUpAndLogin("wilma");
        CLOCK.advance(java.time.Duration.ofMinutes(11));
        expectStatus(Status.Code.FAILED_PRECONDITION, () -> service.blocking().enrollTotp(
                EnrollTotpRequest.newBuilder().setToken(login.getToken()).build()));
    }

    @Test
    void anAdministratorsResetRemovesTheFactorAndEndsEverySession() {
        LoginResponse first = signUpAndLogin("tara");
        enroll(service, first.getToken());
        assertThat(service.blocking().disableTotp(DisableTotpRequest.newBuilder().setUserId(first.getSession().getUserId()).build())
                .getRevokedCount()).isEqualTo(1);
        assertThat(validate(service, first.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null).getReason())
                .isEqualTo(InvalidReason.INVALID_REASON_REVOKED);
        assertThat(login(service, "tara").getSecondFactorRequired()).isFalse();
    }

    @Test
    void aKeyRotationReSealsSecretsAsTheyAreUsedAndAnotherReplicaFollowsTheStepUp() {
        LoginResponse first = signUpAndLogin("uma");
        Factor factor = enroll(service, first.getToken());
        String userKey = "sa:{" + first.getSession().getUserId() + "}:user";
        try (ServiceUnderTest rotated = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.second-factor.keys",
                "k1:" + K1 + ",k2:" + K2, "session-authority.second-factor.active-key", "k2"), CLOCK)) {
            LoginResponse half = login(rotated, "uma");
            assertThat(validate(service, half.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null).getValid()).isFalse();
            StepUpResponse stepped = stepUp(rotated, half.getToken(), factor.code());
            assertThat(stepped.getValid()).isTrue();
            assertThat(redis.commands().hget(userKey, "tfs")).as("resealed under the active key").startsWith("k2:");
            // The other replica had the first half in memory, its token current; the step-up's event makes it
            // forget, and it then answers that token as the replaced one, in its grace (still a first half).
            Await.until("the other replica to see the step-up", WITHIN,
                    () -> validate(service, half.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null).hasTokenGraceEndTime());
            assertThat(validate(service, half.getToken(), AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED, null).getValid()).isFalse();
            assertThat(validate(service, stepped.getToken(), AssuranceLevel.ASSURANCE_LEVEL_AAL2, null).getValid()).isTrue();
        }
        CLOCK.advance(java.time.Duration.ofSeconds(30));
        try (ServiceUnderTest onlyK2 = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.second-factor.keys", "k2:" + K2,
                "session-authority.second-factor.active-key", "k2"), CLOCK)) {
            LoginResponse half = login(onlyK2, "uma");
            assertThat(stepUp(onlyK2, half.getToken(), factor.code()).getValid()).as("k1 retired").isTrue();
        }
    }
}
