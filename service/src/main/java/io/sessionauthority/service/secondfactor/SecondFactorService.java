package io.sessionauthority.service.secondfactor;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.PreconditionFailedException;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.SessionTokens;
import io.sessionauthority.service.throttle.LoginThrottle;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A TOTP second factor owned by the authority: enrolment (active after a first valid code), the
 * step-up of a session with a code or a recovery code, and an administrator's reset. Every code
 * guess is counted per user on second-factor counters with the passwords' lock steps
 * ({@link LoginThrottle#guardSecondFactor}), which no password success starts over.
 */
public final class SecondFactorService {

    static final int SECRET_BYTES = 20; // RFC 4226's recommended 160 bits for HMAC-SHA-1
    static final String DEFAULT_ISSUER = "Session Authority";

    private final SessionService sessions;
    private final SecondFactorStore store;
    private final SecretBox box;
    private final LoginThrottle throttle;
    private final SecureRandom random;
    private final Clock clock;

    public SecondFactorService(SessionService sessions, SecondFactorStore store, SecretBox box, LoginThrottle throttle,
                               SecureRandom random, Clock clock) {
        this.sessions = sessions;
        this.store = store;
        this.box = box;
        this.throttle = throttle;
        this.random = random;
        this.clock = clock;
    }

    /** A secret just made, shown this once. */
    public record Enrolment(String otpauthUri, String secret) {
        @Override
        public String toString() {
            return "Enrolment[<redacted>]";
        }
    }

    /** A step-up's answer: the session (or why there is none live), and the recovery codes left when one was used. */
    public record SteppedUp(SessionCheck check, int recoveryCodesLeft) {
    }

    /** A confirmed factor: the recovery codes, shown this once, and the confirming session, now AAL2. */
    public record Confirmed(List<String> recoveryCodes, SessionCheck check) {
        @Override
        public String toString() {
            return "Confirmed[check=" + check + ", recoveryCodes=<redacted>]";
        }
    }

    public CompletionStage<Enrolment> enroll(String token, String issuer) {
        String label = issuer == null || issuer.isBlank() ? DEFAULT_ISSUER : issuer.strip();
        if (label.length() > 64 || label.contains(":") || label.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidArgumentException("issuer", "is at most 64 characters, without ':' or control characters");
        }
        return live(token).thenCompose(session -> {
            byte[] secret = new byte[SECRET_BYTES];
            random.nextBytes(secret);
            String sealed = box.seal(session.userId(), secret);
            String base32 = com.google.common.io.BaseEncoding.base32().omitPadding().encode(secret);
            Arrays.fill(secret, (byte) 0);
            return store.enroll(session.userId(), sealed).thenApply(stored -> {
                if (!stored) {
                    throw new PreconditionFailedException("SECOND_FACTOR_ACTIVE",
                            "the user's second factor is active: an administrator removes it with DisableTotp before a new one");
                }
                String uri = "otpauth://totp/" + encode(label) + ":" + encode(session.username()) + "?secret=" + base32
                        + "&issuer=" + encode(label) + "&algorithm=SHA1&digits=" + Totp.DIGITS + "&period=" + 30;
                return new Enrolment(uri, base32);
            });
        });
    }

    public CompletionStage<Confirmed> confirm(String token, String code, ClientInfo client) {
        requireCode(code, true);
        return sessions.findForStepUp(token).thenCompose(check -> {
            if (!check.isLive() || check.session().authentication().pending()) {
                throw new PreconditionFailedException("SESSION_NOT_LIVE", "confirm with the live session that enrolled");
            }
            List<String> codes = RecoveryCodes.generate(random);
            List<String> ids = codes.stream().map(RecoveryCodes::idOf).toList();
            return guarded(check.session(), client, (secret, now) -> {
                long step = Totp.matchingStep(secret, code, now);
                if (step < 0) {
                    throw InvalidCredentialsException.wrongCode(check.session().userId());
                }
                return new SecondFactorStore.Proof.Confirmation(step, ids);
            }, false).thenApply(stepped -> new Confirmed(codes, stepped.check()));
        });
    }

    /** Steps up a live session (or completes a login's first half) with a TOTP code or a recovery code. */
    public CompletionStage<SteppedUp> stepUp(String token, String code, ClientInfo client) {
        requireCode(code, false);
        SessionTokens.Reference presented = SessionTokens.parse("token", token);
        return sessions.findForStepUp(token).thenCompose(check -> {
            if (!check.isLive()) {
                return CompletableFuture.completedFuture(new SteppedUp(check, 0));
            }
            String userId = check.session().userId();
            return guarded(check.session(), client, presented, (secret, now) -> {
                if (!Totp.isCodeShaped(code)) {
                    return new SecondFactorStore.Proof.Recovery(RecoveryCodes.idOf(code));
                }
                long step = Totp.matchingStep(secret, code, now);
                if (step < 0) {
                    throw InvalidCredentialsException.wrongCode(userId);
                }
                return new SecondFactorStore.Proof.Code(step);
            }, true);
        });
    }

    /** Removes the user's factor and ends every session of the user; answers how many ended. */
    public CompletionStage<Integer> disable(String userId) {
        io.sessionauthority.service.user.UserIds.require("user_id", userId);
        return store.disable(userId).thenCompose(removed -> sessions.revokeAll(userId, ""));
    }

    private interface Check {
        SecondFactorStore.Proof proofOf(byte[] secret, Instant now);
    }

    /**
     * Reads and opens the user's secret, turns the code into a proof and has the store accept it,
     * all inside the failed-login counters: a wrong, replayed or used code counts as a wrong password.
     */
    private CompletionStage<SteppedUp> guarded(Session session, ClientInfo client, Check check, boolean active) {
        return guarded(session, client, null, check, active);
    }

    /**
     * As above; with {@code presented} (a StepUp's token), the token is replaced in the same step:
     * what a step-up raises is never reached through a copy of the token taken before it.
     */
    private CompletionStage<SteppedUp> guarded(Session session, ClientInfo client, SessionTokens.Reference presented, Check check,
                                               boolean active) {
        sessions.policy().checkClient(client);
        String userId = session.userId();
        return throttle.guardSecondFactor(userId, admission -> store.find(userId).thenCompose(found -> {
            SecondFactorStore.Stored stored = found.filter(factor -> factor.active() == active).orElseThrow(() ->
                    new PreconditionFailedException("NO_SECOND_FACTOR", active
                            ? "the user has no active second factor: enroll one (EnrollTotp, ConfirmTotp)"
                            : "no second factor awaits confirmation: start with EnrollTotp"));
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            byte[] secret = box.open(userId, stored.sealedSecret());
            SecondFactorStore.Proof proof;
            String resealed;
            try {
                proof = check.proofOf(secret, now);
                resealed = box.isStale(stored.sealedSecret()) ? box.seal(userId, secret) : "";
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
            Instant[] expiries = sessions.policy().expiriesAfterStepUp(session.createTime(), now);
            SecondFactorStore.TokenReplacement replacement = presented == null ? null : new SecondFactorStore.TokenReplacement(
                    presented, sessions.successorOf(presented), now.plus(sessions.policy().rotationGrace()));
            long begun = sessions.beginRead();
            return store.stepUp(userId, session.sessionId(), proof, stored.sealedSecret(), resealed, now, expiries[0], expiries[1],
                    sessions.policy().maxPerUser(), sessions.policy().forgetAfter(), replacement).thenCompose(result -> switch (result.outcome()) {
                case STEPPED_UP -> sessions.steppedUp(result.check(), begun, result.ended(), replacement != null)
                        .thenApply(check1 -> new SteppedUp(replacement == null ? check1 : check1.withToken(
                                new SessionCheck.TokenStatus(replacement.graceEnd(), false, replacement.next().token())),
                                result.recoveryCodesLeft()));
                case IN_GRACE -> CompletableFuture.completedFuture(new SteppedUp(result.check().withToken(new SessionCheck.TokenStatus(
                        result.check().session().tokens().graceEnd(), false,
                        SessionTokens.successor(presented, result.check().session().tokens().nonce()).token())), 0));
                case NOT_CURRENT -> CompletableFuture.failedFuture(new PreconditionFailedException("TOKEN_REPLACED",
                        "the token was replaced by a newer one (by a refresh or a step-up): use the current token"));
                case REFUSED -> CompletableFuture.failedFuture(InvalidCredentialsException.wrongCode(userId));
                case NO_FACTOR -> CompletableFuture.failedFuture(new PreconditionFailedException("NO_SECOND_FACTOR",
                        "the user's second factor changed meanwhile"));
                case NOT_LIVE -> CompletableFuture.completedFuture(new SteppedUp(result.check(), 0));
            });
        }));
    }

    /** How recently the user must have authenticated to enroll: a stolen, older session cannot add its thief's factor. */
    static final java.time.Duration ENROLMENT_RECENCY = java.time.Duration.ofMinutes(10);

    private CompletionStage<Session> live(String token) {
        return sessions.findForStepUp(token).thenApply(check -> {
            if (!check.isLive() || check.session().authentication().pending()) {
                throw new PreconditionFailedException("SESSION_NOT_LIVE", "enroll with a live session of the user");
            }
            if (clock.instant().isAfter(check.session().authTime().plus(ENROLMENT_RECENCY))) {
                throw new PreconditionFailedException("RECENT_LOGIN_REQUIRED", "enrolling a second factor needs a login (or a"
                        + " step-up) within the last " + ENROLMENT_RECENCY.toMinutes() + " minutes: log in again, then enroll");
            }
            return check.session();
        });
    }

    private static void requireCode(String code, boolean totpOnly) {
        if (code == null || code.isBlank()) {
            throw new InvalidArgumentException("code", "is required");
        }
        if (totpOnly && !Totp.isCodeShaped(code)) {
            throw new InvalidArgumentException("code", "is the " + Totp.DIGITS + "-digit code the authenticator app shows");
        }
        if (code.length() > 32) {
            throw new InvalidArgumentException("code", "is a " + Totp.DIGITS + "-digit code or a recovery code (xxxx-xxxx-xxxx-xxxx)");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
