package io.sessionauthority.service.session;

import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.NotFoundException;
import io.sessionauthority.service.error.StoreUnavailableException;
import io.sessionauthority.service.revocation.EndReason;
import io.sessionauthority.service.revocation.Revocation;
import io.sessionauthority.service.revocation.RevocationLog;
import io.sessionauthority.service.throttle.DeviceTokens;
import io.sessionauthority.service.throttle.LoginThrottle;
import io.sessionauthority.service.user.User;
import io.sessionauthority.service.user.UserIds;
import io.sessionauthority.service.user.UserService;
import io.sessionauthority.service.user.Usernames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import io.sessionauthority.service.error.CallerGoneException;
import io.sessionauthority.service.user.HashingPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sessions: start one at login, check it, keep it alive, end it. */
public final class SessionService {

    private static final Logger LOG = LoggerFactory.getLogger(SessionService.class);

    private final SessionStore store;
    private final SessionPolicy policy;
    private final SessionTokens tokens;
    private final UserService users;
    private final LoginThrottle throttle;
    private final RevocationLog revocations;
    private final HotSessions hot;
    private final Clock clock;
    private final TokenEvents tokenEvents;

    /**
     * @param revocations where the events of ended sessions go (with {@code hot}: an {@link AnnouncingLog})
     * @param hot         live answers kept in memory, or null to ask Redis on every Validate
     */
    public SessionService(SessionStore store, SessionPolicy policy, SessionTokens tokens, UserService users,
                          LoginThrottle throttle, RevocationLog revocations, HotSessions hot, Clock clock) {
        this(store, policy, tokens, users, throttle, revocations, hot, clock, TokenEvents.NONE);
    }

    /** As the constructor without it, telling {@code tokenEvents} of rotations and reuses. */
    public SessionService(SessionStore store, SessionPolicy policy, SessionTokens tokens, UserService users,
                          LoginThrottle throttle, RevocationLog revocations, HotSessions hot, Clock clock, TokenEvents tokenEvents) {
        this.tokenEvents = tokenEvents;
        this.store = store;
        this.hot = hot;
        this.revocations = revocations;
        this.policy = policy;
        this.tokens = tokens;
        this.users = users;
        this.throttle = throttle;
        this.clock = clock;
    }

    /** A session just started, with the token that is shown this once, and the device's token. */
    public record Started(String token, Session session, String deviceToken) {
        @Override
        public String toString() {
            return "Started[session=" + session + ", token=<redacted>, deviceToken=<redacted>]";
        }
    }

    /**
     * Checks the credentials and starts a session. Every cheap check runs before the expensive
     * password verification, so malformed requests cost nothing; a throttled login is refused
     * before it either (see {@link LoginThrottle}).
     */
    public CompletionStage<Started> login(String username, String password, ClientInfo client, Map<String, String> attributes,
                                          String deviceToken) {
        return login(username, password, client, attributes, deviceToken, () -> true);
    }

    /**
     * As the overload without it. A login from a known device waits in the hashing pool's own lane;
     * once {@code callerWaiting} says the caller has gone (its deadline passed, or it cancelled),
     * nothing more is done for it: no password is hashed and no session is created that no one
     * would ever hear of (such sessions counted towards the user's session cap).
     */
    public CompletionStage<Started> login(String username, String password, ClientInfo client, Map<String, String> attributes,
                                          String deviceToken, BooleanSupplier callerWaiting) {
        return login(username, password, client, attributes, deviceToken, SessionLimit.Requested.DEPLOYMENT_DEFAULTS, callerWaiting);
    }

    /**
     * As the overload without it, under the session limit the caller asked for (see
     * {@link SessionPolicy#limitFor}). Under DENY_NEW a user at the limit is refused with a
     * {@link SessionLimitReachedException} listing the live sessions, after the password was
     * checked: the list is never shown to someone who does not know it.
     */
    public CompletionStage<Started> login(String username, String password, ClientInfo client, Map<String, String> attributes,
                                          String deviceToken, SessionLimit.Requested requestedLimit, BooleanSupplier callerWaiting) {
        SessionLimit limit = policy.limitFor(requestedLimit);
        ClientInfo checkedClient = policy.checkClient(client);
        Map<String, String> checkedAttributes = policy.checkAttributes("attributes", attributes);
        String normalized = Usernames.normalize("username", username);
        LoginThrottle.Attempt attempt = new LoginThrottle.Attempt(normalized, checkedClient.ipAddress(),
                DeviceTokens.parse("device_token", deviceToken));
        if (attempt.device().isEmpty()) {
            // Shed at once when an unknown device's hash would be refused: no throttle work in Redis for it.
            users.requireHashingRoom(HashingPool.Lane.OTHER);
        }
        return throttle.guard(attempt, admission -> users.authenticate(normalized, password,
                        admission.knownDevice() ? HashingPool.Lane.KNOWN_DEVICE : HashingPool.Lane.OTHER, callerWaiting)
                .thenApply(user -> {
                    if (!callerWaiting.getAsBoolean()) {
                        throw new CallerGoneException();
                    }
                    return user;
                })
                .thenCompose(user -> {
                    DeviceTokens.Presented device = throttle.newDevice(user.id());
                    // A device token names its user: one presented by another user's device replaces nothing.
                    String presentedDevice = attempt.device().filter(presented -> presented.userId().equals(user.id()))
                            .map(DeviceTokens.Presented::deviceId).orElse("");
                    return start(user, checkedClient, checkedAttributes, limit.withDevices(device.deviceId(), presentedDevice))
                            .thenCompose(started -> throttle.rememberDevice(user.id(), admission, device)
                                    .thenApply(token -> new Started(started.token(), started.session(), token)));
                }));
    }

    private CompletionStage<Started> start(User user, ClientInfo client, Map<String, String> attributes, SessionLimit limit) {
        // The store keeps milliseconds: hand out exactly the times that Validate will later read back.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        SessionTokens.Issued issued = tokens.issue(user.id());
        Session session;
        if (user.secondFactor()) {
            // The first half of a login: no Validate accepts it, and it ends unless StepUp completes it soon.
            Instant expiry = now.plus(SessionPolicy.SECOND_FACTOR_WINDOW);
            session = new Session(issued.sessionId(), user.id(), user.username(), now, expiry, expiry, now, client, attributes,
                    TokenGenerations.ORIGINAL, Authentication.awaitingSecondFactor(now));
        } else {
            Instant expiry = policy.absoluteExpiry(now);
            session = new Session(issued.sessionId(), user.id(), user.username(), now, expiry,
                    policy.idleExpiry(now, expiry), now, client, attributes);
        }
        return store.create(session, user.passwordHash(), limit, policy.forgetAfter())
                .exceptionallyCompose(error -> Failures.unwrap(error) instanceof SessionLimitReachedException refused
                        // A user with a second factor: the password alone shows none of the user's sessions.
                        ? (user.secondFactor() ? CompletableFuture.completedFuture(List.<Session>of()) : store.list(user.id(), now, policy.forgetAfter()))
                                .thenApply(live -> {
                            throw new SessionLimitReachedException(user.id(), refused.maxSessions(), leastRecentFirst(live));
                        })
                        : CompletableFuture.failedFuture(error))
                .thenCompose(evicted -> announceEach(user.id(), evicted, now))
                .thenApply(ignored -> new Started(issued.token(), session, ""));
    }

    /** Whether the token's session is live; read-only. Hot tokens are answered from memory. */
    public CompletionStage<SessionCheck> validate(String token) {
        return validate(token, false);
    }

    /**
     * As {@link #validate(String)}; with {@code fromStore}, always from Redis (for a caller that
     * caches the answer itself, see ValidateRequest.skip_cache): never from memory, not even while
     * Redis cannot be asked. The answer still refreshes memory.
     */
    public CompletionStage<SessionCheck> validate(String token, boolean fromStore) {
        return validate(token, fromStore, Requirement.NONE);
    }

    /**
     * As {@link #validate(String, boolean)}; a live session that does not meet {@code requirement}
     * answers STEP_UP_REQUIRED (so does the first half of a login, whatever is asked).
     */
    public CompletionStage<SessionCheck> validate(String token, boolean fromStore, Requirement requirement) {
        SessionTokens.Reference ref = SessionTokens.parse("token", token);
        // One stage for the common case (a current token, judged from what was read): Validate is the hot path.
        return read(ref, fromStore).thenCompose(check -> {
            SessionCheck judged = judgedFromRead(ref, check);
            return judged != null ? CompletableFuture.completedFuture(required(judged, requirement))
                    : rotateOrJudge(ref, false).thenApply(again -> required(again, requirement));
        });
    }

    /** The session of a live token, whatever its assurance (the first half of a login too): for a step-up. */
    public CompletionStage<SessionCheck> findForStepUp(String token) {
        SessionTokens.Reference ref = SessionTokens.parse("token", token);
        return read(ref, true).thenCompose(check -> judged(ref, check));
    }

    /** {@code check}, or STEP_UP_REQUIRED when its live session does not meet {@code requirement}. */
    private SessionCheck required(SessionCheck check, Requirement requirement) {
        if (!check.isLive() || requirement == Requirement.NONE && !check.session().authentication().pending()) {
            return check; // the common case, without reading the clock
        }
        if (requirement.metBy(check.session(), clock.instant())) {
            return check;
        }
        return check.stepUpRequired(requirement);
    }

    /**
     * Makes a step-up known: appended to the revocation log (every cache forgets the session's
     * answers, which named a lower level or an older auth time) and kept in this replica's memory;
     * with {@code tokenReplaced}, audited as a rotation too. The step-up is answered even when an
     * event could not be appended (the log redelivers it): it is done in Redis, and a step-up that
     * replaced the token and answered an error would leave its caller with a token whose use ends
     * the session once the grace is over.
     */
    public CompletionStage<SessionCheck> steppedUp(SessionCheck stepped, long begun, List<String> endedPastLimit,
                                                   boolean tokenReplaced) {
        Session session = stepped.session();
        Instant now = clock.instant();
        return announceEach(session.userId(), endedPastLimit, now)
                .handle((ignored, announceError) -> null)
                .thenCompose(ignored -> revocations.append(Revocation.ofSession(session.userId(), session.sessionId(),
                        EndReason.STEPPED_UP, now)))
                .handle((cursor, appendError) -> {
                    if (tokenReplaced) {
                        tokenEvents.rotated(session.userId(), session.sessionId(), session.tokens().generation());
                    }
                    if (hot != null) {
                        hot.putTouched(stepped, begun);
                    }
                    return stepped;
                });
    }

    /** The token that replaces {@code token} when a step-up raises its session's level (see SessionTokens). */
    public SessionTokens.Successor successorOf(SessionTokens.Reference token) {
        return tokens.rotate(token);
    }

    /** Marks the start of a read whose answer {@link #steppedUp} will keep (see HotSessions.begin). */
    public long beginRead() {
        return hot == null ? 0 : hot.begin();
    }

    public SessionPolicy policy() {
        return policy;
    }

    /** The session of {@code ref}, from memory or Redis, not yet judged for the token presented. */
    private CompletionStage<SessionCheck> read(SessionTokens.Reference ref, boolean fromStore) {
        if (hot == null) {
            return store.find(ref.userId(), ref.sessionId(), clock.instant(), policy.forgetAfter());
        }
        java.util.Optional<SessionCheck> kept = fromStore ? java.util.Optional.empty() : hot.get(ref.sessionId());
        if (kept.isPresent()) {
            return CompletableFuture.completedFuture(kept.get());
        }
        long begun = hot.begin();
        return store.find(ref.userId(), ref.sessionId(), clock.instant(), policy.forgetAfter()).handle((check, error) -> {
            if (error == null) {
                hot.put(check, begun);
                return check;
            }
            if (!fromStore && Failures.unwrap(error) instanceof StoreUnavailableException) {
                // Redis cannot be asked: a hot session is answered from memory within the outage grace.
                java.util.Optional<SessionCheck> held = hot.whileUnreachable(ref.sessionId());
                if (held.isPresent()) {
                    return held.get();
                }
            }
            throw Failures.asCompletionException(error);
        });
    }

    /**
     * What the presented token is to its live session. The current token is the answer as read (due
     * for rotation once old enough); the one it replaced, within its grace, is live with the grace's
     * end. Anything else is judged again by the store in one atomic step, never from what was read:
     * an answer read from memory may predate a rotation on another replica, so only the store may
     * conclude that a replaced token was reused, and end the session.
     */
    private CompletionStage<SessionCheck> judged(SessionTokens.Reference ref, SessionCheck check) {
        SessionCheck judged = judgedFromRead(ref, check);
        return judged != null ? CompletableFuture.completedFuture(judged) : rotateOrJudge(ref, false);
    }

    /** As {@link #judged}, or null when only the store may judge (a token that looks replaced). */
    private SessionCheck judgedFromRead(SessionTokens.Reference ref, SessionCheck check) {
        if (!check.isLive()) {
            return check;
        }
        Instant now = clock.instant();
        Session session = check.session();
        return switch (session.tokens().judge(ref, now)) {
            case CURRENT -> policy.rotationDue(session.tokenIssuedTime(), now)
                    ? check.withToken(new SessionCheck.TokenStatus(null, true, "")) : check;
            case IN_GRACE -> inGrace(check, ref, now, false);
            case REPLACED -> null;
        };
    }

    /**
     * The answer for a replaced token within its grace: live until the grace ends, with its
     * successor when {@code withSuccessor} and one is handed out for it. A token a step-up replaced
     * keeps the level it had: a copy taken before the step-up must not reach the higher level with it.
     */
    private static SessionCheck inGrace(SessionCheck check, SessionTokens.Reference ref, Instant now, boolean withSuccessor) {
        TokenGenerations.Replaced replaced = check.session().tokens().replacedInGrace(ref, now);
        if (replaced == null) {
            // Judged at the same instant by the same rule (prelude.lua in_grace is the twin): a disagreement is a bug.
            throw new IllegalStateException("a token judged in its grace matches no replaced token of session " + ref.sessionId());
        }
        SessionCheck answer = replaced.steppedUpFrom() == null ? check
                : SessionCheck.live(check.session().withAuthentication(replaced.steppedUpFrom()));
        String successor = withSuccessor && !replaced.nonce().isEmpty() ? SessionTokens.successor(ref, replaced.nonce()).token() : "";
        return answer.withToken(new SessionCheck.TokenStatus(replaced.graceEnd(), false, successor));
    }

    /**
     * Exchanges a live session's token for the next generation's (see {@link SessionTokens}). The
     * current token is replaced, and accepted for the rotation grace after; the replaced one, within
     * its grace, gets the same successor again (derived, not stored), so racing refreshes agree;
     * a replaced one after its grace ends the session (TOKEN_REUSE). The answer's token status
     * carries the new token.
     */
    public CompletionStage<SessionCheck> refresh(String token) {
        SessionTokens.Reference ref = SessionTokens.parse("token", token);
        // The first half of a login is not a session to keep: no new token for it.
        return read(ref, true).thenCompose(check -> check.isLive() && check.session().authentication().pending()
                ? CompletableFuture.completedFuture(required(check, Requirement.NONE))
                // A copy of a first half, within the grace of the step-up that replaced it, is still one.
                : rotateOrJudge(ref, true).thenApply(judged -> required(judged, Requirement.NONE)));
    }

    private CompletionStage<SessionCheck> rotateOrJudge(SessionTokens.Reference ref, boolean rotate) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant graceEnd = now.plus(policy.rotationGrace());
        SessionTokens.Successor next = rotate ? tokens.rotate(ref) : null;
        long begun = hot == null ? 0 : hot.begin();
        return store.rotate(ref.userId(), ref, next, now, graceEnd, policy.forgetAfter()).thenCompose(rotation -> {
            SessionCheck check = rotation.check();
            return switch (rotation.outcome()) {
                // The token is handed out even when the event could not be appended (the log redelivers it): a
                // rotation its holder never hears of would end the session when the grace is over.
                case ROTATED -> revocations.append(Revocation.ofSession(ref.userId(), ref.sessionId(), EndReason.TOKEN_ROTATED, now))
                        .handle((cursor, appendError) -> {
                            tokenEvents.rotated(ref.userId(), ref.sessionId(), check.session().tokens().generation());
                            if (hot != null) {
                                hot.putTouched(check, begun);
                            }
                            return check.withToken(new SessionCheck.TokenStatus(graceEnd, false, next.token()));
                        });
                case CURRENT -> CompletableFuture.completedFuture(policy.rotationDue(check.session().tokenIssuedTime(), now)
                        ? check.withToken(new SessionCheck.TokenStatus(null, true, "")) : check);
                // A copy of the token a step-up replaced gets no successor by asking: only a retry of that
                // step-up, with its code, gets it again (TokenGenerations.replacedInGrace).
                case IN_GRACE -> CompletableFuture.completedFuture(inGrace(check, ref, now, rotate));
                case REUSED -> revocations.append(Revocation.ofSession(ref.userId(), ref.sessionId(), EndReason.TOKEN_REUSE, now))
                        .thenApply(cursor -> {
                            tokenEvents.reused(ref.userId(), ref.sessionId(), rotation.generation());
                            return check;
                        });
                case NOT_LIVE -> CompletableFuture.completedFuture(check);
            };
        });
    }

    /** Slides a live session's idle expiry, records activity, applies attribute changes. */
    public CompletionStage<SessionCheck> touch(String token, Map<String, String> setAttributes, Collection<String> removeAttributes) {
        return touch(token, setAttributes, removeAttributes, false);
    }

    /**
     * As the overload without it; with {@code rotateIfDue}, rotates the token too when it is due
     * (see {@link SessionPolicy#rotationDue}), the new one in the answer. Only for a caller that
     * hands the new token on: a dropped one leaves its holder with a token that soon ends the session.
     */
    public CompletionStage<SessionCheck> touch(String token, Map<String, String> setAttributes, Collection<String> removeAttributes,
                                               boolean rotateIfDue) {
        SessionTokens.Reference ref = SessionTokens.parse("token", token);
        return touchOnly(ref, setAttributes, removeAttributes).thenCompose(check -> judged(ref, check))
                .thenApply(check -> required(check, Requirement.NONE))
                .thenCompose(check -> rotateIfDue && check.isLive() && check.token().refreshDue() ? rotateOrJudge(ref, true)
                        : CompletableFuture.completedFuture(check));
    }

    private CompletionStage<SessionCheck> touchOnly(SessionTokens.Reference ref, Map<String, String> setAttributes,
                                                    Collection<String> removeAttributes) {
        policy.checkAttributeChanges(setAttributes, removeAttributes);
        long begun = hot == null ? 0 : hot.begin();
        CompletionStage<SessionCheck> touched = store.touch(ref.userId(), ref.sessionId(), ref, clock.instant(), policy.idleTimeout(),
                setAttributes, removeAttributes, policy.maxAttributes(), policy.forgetAfter())
                // A replaced token wrote nothing: the store judges it again, and ends the session.
                .exceptionallyCompose(error -> Failures.unwrap(error) instanceof TokenReplacedException
                        ? rotateOrJudge(ref, false) : CompletableFuture.failedFuture(error));
        if (hot == null) {
            return touched;
        }
        // The kept answer takes the new expiry, last-seen time and attributes: a Validate on this
        // replica right after the Touch shows them (others keep theirs until their max age).
        return touched.thenApply(check -> {
            hot.putTouched(check, begun);
            return check;
        });
    }

    /**
     * Slides a live session's idle expiry on behalf of activity seen elsewhere (a request through
     * Envoy), at most once per {@code interval}: sliding on every request would turn every read into
     * a write. Fire and forget: it never delays or fails the request it comes from; a zero interval
     * turns it off.
     */
    public void keepAlive(String token, Session session, Duration interval) {
        if (interval.isZero() || clock.instant().isBefore(session.lastSeenTime().plus(interval))) {
            return;
        }
        try {
            // touch() refreshes the kept answer: it carries the new last-seen time, so no Touch again until the
            // interval passes. Never a rotation: its new token would have no one to go to (ext_authz rotates itself).
            touch(token, Map.of(), List.of(), false).whenComplete((touched, error) -> {
                if (error != null) {
                    LOG.debug("Keep-alive of session {} deferred: {}", session.sessionId(), Failures.unwrap(error).toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("Keep-alive of session {} skipped: {}", session.sessionId(), e.toString());
        }
    }

    /** The least recently used first: lowest idle expiry (it slides with each Touch), then oldest. */
    private static List<Session> leastRecentFirst(List<Session> sessions) {
        return sessions.stream().sorted(Comparator.comparing(Session::idleExpireTime).thenComparing(Session::createTime)).toList();
    }

    /** How long after a session ended a revoke of it appends its event again (a retried revoke). */
    static final Duration RETRIED_REVOKE_WINDOW = Duration.ofMinutes(1);

    /** Ends the session a token belongs to (logout). Answers 1, or 0 when it had ended already. */
    public CompletionStage<Integer> revokeByToken(String token) {
        SessionTokens.Reference ref = SessionTokens.parse("token", token);
        // A token naming no user names no session: logging out twice, or with a forged token, ends nothing.
        Instant now = clock.instant();
        return store.revoke(ref.userId(), ref.sessionId(), EndReason.LOGOUT, now, policy.forgetAfter(), RETRIED_REVOKE_WINDOW)
                .thenCompose(revoked -> announce(Revocation.ofSession(ref.userId(), ref.sessionId(), EndReason.LOGOUT, now), revoked))
                .exceptionallyCompose(error -> Failures.unwrap(error) instanceof NotFoundException
                        ? CompletableFuture.completedFuture(0)
                        : CompletableFuture.failedFuture(error));
    }

    /** Ends one session of a user, named by id. */
    public CompletionStage<Integer> revoke(String userId, String sessionId) {
        UserIds.require("session.user_id", userId);
        requireSessionId("session.session_id", sessionId);
        Instant now = clock.instant();
        return store.revoke(userId, sessionId, EndReason.ADMIN_REVOKE, now, policy.forgetAfter(), RETRIED_REVOKE_WINDOW)
                .thenCompose(revoked -> announce(Revocation.ofSession(userId, sessionId, EndReason.ADMIN_REVOKE, now), revoked));
    }

    /** Ends every session of a user, but {@code exceptSessionId} when it is not empty, and forgets the user's known devices. */
    public CompletionStage<Integer> revokeAll(String userId, String exceptSessionId) {
        return revokeAll(userId, exceptSessionId, "");
    }

    /**
     * Ends every session of a user, but {@code exceptSessionId} when it is not empty, and forgets
     * every known device of the user but the one of {@code keepDeviceToken} (when it is the user's):
     * after a revoke-all, a stolen device token buys its thief no separate guessing budget.
     */
    public CompletionStage<Integer> revokeAll(String userId, String exceptSessionId, String keepDeviceToken) {
        UserIds.require("all_sessions.user_id", userId);
        if (!exceptSessionId.isEmpty()) {
            requireSessionId("all_sessions.except_session_id", exceptSessionId);
        }
        String keepDevice = DeviceTokens.parse("all_sessions.keep_device_token", keepDeviceToken)
                .filter(device -> device.userId().equals(userId)).map(DeviceTokens.Presented::deviceId).orElse("");
        Instant now = clock.instant();
        return store.revokeAll(userId, exceptSessionId, keepDevice, EndReason.REVOKE_ALL, now, policy.forgetAfter())
                .thenCompose(count -> announce(Revocation.ofAllSessions(userId, exceptSessionId, EndReason.REVOKE_ALL, now), count));
    }

    /** The user's live sessions, newest first. */
    public CompletionStage<List<Session>> list(String userId) {
        UserIds.require("user_id", userId);
        return store.list(userId, clock.instant(), policy.forgetAfter()).thenApply(sessions -> sessions.stream()
                .sorted(Comparator.comparing(Session::createTime).reversed().thenComparing(Session::sessionId))
                .toList());
    }


    /**
     * Appends the event to the revocation log before the caller hears of the revoke: an
     * acknowledged revoke always has its event. A revoke-all always announces itself (its new
     * generation applies whatever it ended).
     */
    private CompletionStage<Integer> announce(Revocation revocation, int count) {
        return revocations.append(revocation).thenApply(cursor -> count);
    }

    /**
     * A revoke of one session that ended nothing appends nothing: the stream is fanned out to every
     * cache in the fleet, and a forged but well-formed token (or a logout repeated in a loop) once
     * appended an event per call. The one exception is a session that ended within
     * {@link #RETRIED_REVOKE_WINDOW}: the revoke may be its caller's retry of one that ended it but
     * never appended its event (its replicas' confirmation, WAIT, fell short, or its answer was
     * lost), so the event is appended again; a repeated event is harmless.
     */
    private CompletionStage<Integer> announce(Revocation revocation, SessionStore.Revoked revoked) {
        if (revoked.ended() == 0 && !revoked.endedRecently()) {
            return CompletableFuture.completedFuture(0);
        }
        return announce(revocation, revoked.ended());
    }

    /** Every eviction is appended (and applied, and redelivered if need be), even when one append fails. */
    private CompletionStage<Void> announceEach(String userId, List<String> evictedSessionIds, Instant now) {
        CompletableFuture<?>[] appends = evictedSessionIds.stream()
                .map(sessionId -> revocations.append(Revocation.ofSession(userId, sessionId, EndReason.SESSION_LIMIT, now))
                        .toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(appends);
    }

    private static void requireSessionId(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidArgumentException(field, "is required");
        }
        if (!SessionTokens.isSessionId(value)) {
            throw new InvalidArgumentException(field, "is not a session id (22 URL-safe base64 characters)");
        }
    }
}
