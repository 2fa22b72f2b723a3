package io.sessionauthority.client;

import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.sessionauthority.v1.AllSessions;
import io.sessionauthority.v1.ChangePasswordRequest;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.ImportUsersRequest;
import io.sessionauthority.v1.ImportUsersResponse;
import io.sessionauthority.v1.ListSessionsRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.RevokeResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.SessionRef;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.RefreshRequest;
import io.sessionauthority.v1.StepUpRequest;
import io.sessionauthority.v1.EnrollTotpRequest;
import io.sessionauthority.v1.ConfirmTotpRequest;
import io.sessionauthority.v1.DisableTotpRequest;
import io.sessionauthority.v1.DisableTotpResponse;
import io.sessionauthority.v1.ValidateRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A typed client for Session Authority, safe to share across threads; build one per process and
 * close it at shutdown.
 *
 * <pre>{@code
 * try (SessionAuthorityClient client = SessionAuthorityClient.builder("dns:///session-authority:50051").plaintext().build()) {
 *     ValidationResult result = client.validate(token);
 *     if (result.isValid()) { ... result.session().get().userId() ... }
 * }
 * }</pre>
 *
 * <p><b>Connecting.</b> {@link Builder#build()} starts connecting at once. Until the authority has
 * answered once, a call first waits for the connection and then gets what is left of the connect
 * timeout (5 s by default), and at least 1 s, on top of its own deadline, so the first call of a
 * fresh JVM does not spend its deadline on name resolution, handshakes and class loading;
 * {@link #awaitReady(Duration)} waits for it explicitly (at startup, before taking traffic). After the authority restarts, the client reconnects within about a second.
 *
 * <p><b>Deadlines and retries.</b> Every call carries a deadline: 250 ms unless configured, 2 s for
 * Login, CreateUser and ChangePassword (they run bcrypt). Calls that are safe to repeat (Validate,
 * Touch, Revoke, ListSessions) are retried by gRPC on UNAVAILABLE, up to 3 attempts; Login,
 * CreateUser and ChangePassword never are. With a {@code dns:///} target the channel spreads calls
 * over every address the name resolves to (round robin).
 *
 * <p><b>Answers and failures.</b> A token that is not live, or not a token at all, is not a failure
 * but a {@link ValidationResult}. Failures are thrown as {@link SessionAuthorityException}
 * subclasses; {@link MisconfiguredException} (the authority's certificate is not trusted, or it does
 * not know this client) is logged at most once a minute, because it will not fix itself.
 *
 * <p>Each method comes in a blocking form and an asynchronous form ({@code …Async}) that returns a
 * {@link CompletableFuture} completed on a gRPC thread: do not block inside its callbacks.
 */
public final class SessionAuthorityClient implements AutoCloseable {

    /** The default deadline of every call but the password-hashing ones. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMillis(250);

    /**
     * The default deadline of Login, CreateUser and ChangePassword: each runs bcrypt (tens of
     * milliseconds of CPU, more while other logins queue for the hashing threads).
     */
    public static final Duration DEFAULT_HASHING_DEADLINE = Duration.ofSeconds(2);

    /** The default time the first connection may take, apart from any call's deadline. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final String SERVICE = SessionAuthorityServiceGrpc.SERVICE_NAME;
    /** Three missed heartbeats (one a second): the revocation stream may be missing events. */
    private static final Duration STREAM_STALE_AFTER = Duration.ofSeconds(3);
    /** How long the cache keeps answering, briefly, without a healthy stream before it stops. */
    private static final Duration DEGRADED_CACHE_LIMIT = Duration.ofSeconds(10);

    private final ManagedChannel channel;
    private final boolean ownsChannel;
    private final Connection connection;
    private final Calls calls;
    private final Duration deadline;
    private final Duration hashingDeadline;
    private final ValidationCache cache;
    private final RevocationWatcher revocations;
    private final SessionSlider slider;
    private final ClientListener listener;
    /** For the client-streaming ImportUsers. */
    private final SessionAuthorityServiceGrpc.SessionAuthorityServiceStub streams;
    private final Clock clock;

    private SessionAuthorityClient(Builder builder, ManagedChannel channel, boolean ownsChannel) {
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        this.connection = new Connection(channel);
        // The caller's interceptors see every call, the revocation stream's and the readiness probe's included.
        Channel intercepted = ClientInterceptors.intercept(channel, builder.interceptors);
        SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub base = SessionAuthorityServiceGrpc.newFutureStub(intercepted);
        this.calls = new Calls(builder.callCredentials == null ? base : base.withCallCredentials(builder.callCredentials),
                connection, builder.connectTimeout, builder.listener, builder.callbackExecutor);
        SessionAuthorityServiceGrpc.SessionAuthorityServiceStub streams = SessionAuthorityServiceGrpc.newStub(intercepted);
        this.streams = builder.callCredentials == null ? streams : streams.withCallCredentials(builder.callCredentials);
        this.deadline = builder.deadline;
        this.hashingDeadline = builder.hashingDeadline;
        this.listener = builder.listener;
        this.clock = builder.clock;
        connection.start();
        if (builder.cacheMaxEntries > 0) {
            // The cache asks the watcher whether the stream is healthy; the watcher feeds the cache.
            // The cache exists before the watcher starts, so no message can arrive before it.
            java.util.concurrent.atomic.AtomicReference<RevocationWatcher> watcher = new java.util.concurrent.atomic.AtomicReference<>();
            this.cache = new ValidationCache(builder.cacheMaxEntries, builder.cacheMaxAge, builder.degradedCacheAge,
                    DEGRADED_CACHE_LIMIT, builder.negativeCacheAge, builder.clock, () -> {
                        RevocationWatcher current = watcher.get();
                        return current != null && current.healthy();
                    });
            if (builder.revocationStream) {
                SessionAuthorityServiceGrpc.SessionAuthorityServiceStub async = SessionAuthorityServiceGrpc.newStub(intercepted);
                watcher.set(new RevocationWatcher(builder.callCredentials == null ? async : async.withCallCredentials(builder.callCredentials),
                        cache, STREAM_STALE_AFTER));
            }
            this.revocations = watcher.get();
        } else {
            this.cache = null;
            this.revocations = null;
        }
        this.slider = builder.slideInterval.isZero() ? null : new SessionSlider(builder.slideInterval, builder.clock,
                token -> touchAsync(token, Map.of(), List.of()));
    }

    /**
     * Starts building a client for {@code target}: {@code host:port}, or {@code dns:///name:port}
     * to balance over every address of a name.
     */
    public static Builder builder(String target) {
        return new Builder(Objects.requireNonNull(target, "target"));
    }

    // ---- Connecting -----------------------------------------------------------------------

    /**
     * Waits until the connection to the authority is up, at most {@code timeout}: for startup, so
     * that a service takes traffic only once it can check sessions. An authority that is not
     * reachable yet (not started, restarting, its name not yet resolvable) is waited for until the
     * timeout; one that cannot ever be reached as configured fails at once.
     *
     * @throws UnavailableException   when it is not up in time, with the last reason it was not
     * @throws MisconfiguredException when it cannot come up: TLS trust, or this client's credentials
     */
    public void awaitReady(Duration timeout) {
        calls.awaitReady(Objects.requireNonNull(timeout, "timeout"));
    }

    // ---- Validate -------------------------------------------------------------------------

    /**
     * Whether {@code token} belongs to a live session, and if so which. Read-only on the server. A
     * token that is not of the token format at all is answered {@link ValidationResult.Reason#MALFORMED}
     * without asking the authority.
     *
     * @throws NullPointerException when {@code token} is null
     * @throws UnavailableException when the authority cannot answer within the deadline
     */
    public ValidationResult validate(String token) {
        return join(validateAsync(token));
    }

    /** The asynchronous form of {@link #validate(String)}. */
    public CompletableFuture<ValidationResult> validateAsync(String token) {
        Objects.requireNonNull(token, "token");
        if (!TokenShape.isSessionToken(token)) {
            return CompletableFuture.completedFuture(ValidationResult.malformed());
        }
        if (cache != null) {
            ValidationResult cached = cache.get(token);
            if (cached != null) {
                listener.onCacheHit("Validate");
                slide(token, cached);
                return CompletableFuture.completedFuture(cached);
            }
        }
        long begun = cache == null ? 0 : cache.begin();
        // A caching client asks for Redis' answer: one the authority replica kept in memory may be
        // from before an event this client has already applied, and would then be kept here for good.
        ValidateRequest request = ValidateRequest.newBuilder().setToken(token).setSkipCache(cache != null).build();
        return calls.call("Validate", deadline, s -> s.validate(request),
                response -> response.getValid() ? ClientListener.OK : ClientListener.NOT_VALID)
                .thenApply(response -> {
                    ValidationResult result = ValidationResult.of(response);
                    if (cache != null) {
                        cache.put(token, result, begun);
                    }
                    slide(token, result);
                    return result;
                })
                .exceptionally(error -> {
                    if (Errors.unwrap(error) instanceof InvalidArgumentException invalid && "token".equals(invalid.field())) {
                        return ValidationResult.malformed();
                    }
                    throw error instanceof CompletionException completion ? completion : new CompletionException(error);
                });
    }

    /**
     * {@link #validate(String)}, and a live session that does not meet {@code assurance} answers
     * {@link ValidationResult.Reason#STEP_UP_REQUIRED}. Checked here on the answer (cached or not):
     * a step-up anywhere makes every cache forget the session, so the next answer has its new level.
     */
    public ValidationResult validate(String token, Assurance assurance) {
        return join(validateAsync(token, assurance));
    }

    /** The asynchronous form of {@link #validate(String, Assurance)}. */
    public CompletableFuture<ValidationResult> validateAsync(String token, Assurance assurance) {
        Objects.requireNonNull(assurance, "assurance");
        return validateAsync(token).thenApply(result -> result.isValid()
                && !assurance.metBy(result.session().orElseThrow(), clock.instant())
                ? ValidationResult.invalid(ValidationResult.Reason.STEP_UP_REQUIRED) : result);
    }

    /**
     * Whether the validation cache hears every revocation now: its stream to the authority is up
     * and current. While it is not, cached answers are reused only briefly (see
     * {@link Builder#validationCache}).
     */
    public boolean revocationStreamHealthy() {
        return revocations != null && revocations.healthy();
    }

    /** The clock this client judges ages by (its builder's). */
    Clock clock() {
        return clock;
    }

    /** How many live answers the validation cache holds (0 without one): what tests read, not callers. */
    int cachedLiveAnswers() {
        return cache == null ? 0 : cache.size();
    }

    /**
     * The state of this client's channel to the authority ({@code READY} when connected, or
     * {@code IDLE}, {@code CONNECTING}, {@code TRANSIENT_FAILURE}, {@code SHUTDOWN}), for a gauge or
     * a health check. Reading it never starts a connection.
     */
    public io.grpc.ConnectivityState connectionState() {
        return connection.state();
    }

    private void slide(String token, ValidationResult result) {
        if (slider != null && result.isValid()) {
            slider.seen(token, result.session().orElseThrow());
        }
    }

    // ---- Touch ----------------------------------------------------------------------------

    /** Records activity on the token's session, sliding its idle expiry; answers like {@link #validate}. */
    public ValidationResult touch(String token) {
        return join(touchAsync(token, Map.of(), List.of()));
    }

    /** Records activity and changes attributes: sets {@code set}, removes the names in {@code remove}. */
    public ValidationResult touch(String token, Map<String, String> set, Collection<String> remove) {
        return join(touchAsync(token, set, remove));
    }

    /** The asynchronous form of {@link #touch(String, Map, Collection)}. */
    public CompletableFuture<ValidationResult> touchAsync(String token, Map<String, String> set, Collection<String> remove) {
        Objects.requireNonNull(token, "token");
        return calls.call("Touch", deadline, s -> s.touch(TouchRequest.newBuilder().setToken(token).putAllSetAttributes(set)
                .addAllRemoveAttributes(remove).build()), response -> response.getValid() ? ClientListener.OK : ClientListener.NOT_VALID)
                .thenApply(response -> {
                    if (cache != null && !response.getValid()) {
                        cache.invalidate(token);
                    }
                    return ValidationResult.of(response);
                });
    }

    // ---- Rotation -------------------------------------------------------------------------

    /**
     * Exchanges {@code token} for a new token of the same session ({@link ValidationResult#newToken()}):
     * hand it to the token's holder. The old token still works until
     * {@link ValidationResult#tokenGraceEnd()} (requests already on their way pass), and a refresh
     * with it within that grace answers the same new token again (none when a step-up replaced it,
     * or another rotation came since: its holder should have the newest token). Presented after
     * the grace, it ends the session ({@link ValidationResult.EndReason#TOKEN_REUSE}): a copy was kept.
     */
    public ValidationResult refresh(String token) {
        return join(refreshAsync(token));
    }

    /** The asynchronous form of {@link #refresh(String)}. */
    public CompletableFuture<ValidationResult> refreshAsync(String token) {
        Objects.requireNonNull(token, "token");
        if (!TokenShape.isSessionToken(token)) {
            return CompletableFuture.completedFuture(ValidationResult.malformed());
        }
        return calls.call("Refresh", deadline, s -> s.refresh(RefreshRequest.newBuilder().setToken(token).build()),
                        response -> response.getValid() ? ClientListener.OK : ClientListener.NOT_VALID)
                .thenApply(response -> {
                    if (cache != null) {
                        // The rotation's event makes every cache forget; this one need not wait for it.
                        cache.invalidate(token);
                    }
                    return ValidationResult.of(response);
                });
    }

    /**
     * {@link #validate(String)}, then, when the deployment says the token is due for rotation,
     * {@link #refresh(String)}: the answer then carries the new token to hand to the holder
     * ({@link ValidationResult#newToken()}). What a server that can answer its caller with a new
     * token (a cookie, a header) calls instead of {@code validate}. A refresh that fails leaves the
     * request valid: the token is due, not expired.
     */
    public CompletableFuture<ValidationResult> validateAndRefreshAsync(String token) {
        // Due, or replaced and still in its grace (its holder may never have received the new token):
        // the refresh then answers that same new token again.
        return validateAsync(token).thenCompose(result -> !result.isValid() || !result.refreshDue() && result.tokenGraceEnd().isEmpty()
                ? CompletableFuture.completedFuture(result)
                : refreshAsync(token).handle((refreshed, error) -> error == null ? refreshed : result));
    }

    /** The blocking form of {@link #validateAndRefreshAsync(String)}. */
    public ValidationResult validateAndRefresh(String token) {
        return join(validateAndRefreshAsync(token));
    }

    // ---- Second factor --------------------------------------------------------------------

    /**
     * Steps the token's session up with a second factor: a code from the user's authenticator app,
     * or one of their recovery codes. Completes a login that answered
     * {@link LoginResult#secondFactorRequired()}. The answer is the session, now at level 2, and
     * its new token ({@link ValidationResult#newToken()}): stepping up replaces the token, and the
     * one presented is accepted only until {@link ValidationResult#tokenGraceEnd()}. Use the new one
     * from then on (a cookie set again, say): presented after the grace, the old one ends the session.
     *
     * @throws UnauthenticatedException     a wrong, replayed or used code (counted as a failed login)
     * @throws ThrottledException           too many wrong guesses; retry after its delay
     * @throws FailedPreconditionException  the user has no active second factor, or {@code token} was
     *                                      replaced already (by a refresh): step up with the current one
     */
    public ValidationResult stepUp(String token, String code, ClientInfo client) {
        Objects.requireNonNull(token, "token");
        StepUpRequest request = StepUpRequest.newBuilder().setToken(token).setCode(Objects.requireNonNull(code, "code"))
                .setClient(client.proto()).build();
        return join(calls.call("StepUp", hashingDeadline, s -> s.stepUp(request),
                response -> response.getValid() ? ClientListener.OK : ClientListener.NOT_VALID)
                .thenApply(response -> {
                    if (cache != null) {
                        cache.invalidate(token);
                    }
                    return ValidationResult.of(response);
                }));
    }

    /** A TOTP secret to show once, as a QR code of {@code otpauthUri} or as {@code secret} to type. */
    public record TotpEnrolment(String otpauthUri, String secret) {
        @Override
        public String toString() {
            return "TotpEnrolment[<redacted>]";
        }
    }

    /** Starts enrolling a TOTP factor for the user of a live session; confirm it with {@link #confirmTotp}. */
    public TotpEnrolment enrollTotp(String token, String issuer) {
        EnrollTotpRequest request = EnrollTotpRequest.newBuilder().setToken(Objects.requireNonNull(token, "token"))
                .setIssuer(issuer == null ? "" : issuer).build();
        return join(calls.call("EnrollTotp", deadline, s -> s.enrollTotp(request), response -> ClientListener.OK)
                .thenApply(response -> new TotpEnrolment(response.getOtpauthUri(), response.getSecret())));
    }

    /** Activates the enrolled factor with the app's first code; answers the ten recovery codes, shown once. */
    public List<String> confirmTotp(String token, String code) {
        ConfirmTotpRequest request = ConfirmTotpRequest.newBuilder().setToken(Objects.requireNonNull(token, "token"))
                .setCode(Objects.requireNonNull(code, "code")).build();
        return join(calls.call("ConfirmTotp", hashingDeadline, s -> s.confirmTotp(request), response -> ClientListener.OK)
                .thenApply(response -> {
                    if (cache != null) {
                        cache.invalidate(token);
                    }
                    return List.copyOf(response.getRecoveryCodesList());
                }));
    }

    /** Removes a user's second factor and ends all their sessions (an administrator's reset); answers how many ended. */
    public int disableTotp(String userId) {
        DisableTotpRequest request = DisableTotpRequest.newBuilder().setUserId(Objects.requireNonNull(userId, "userId")).build();
        return join(calls.call("DisableTotp", deadline, s -> s.disableTotp(request), response -> ClientListener.OK)
                .thenApply(DisableTotpResponse::getRevokedCount));
    }

    // ---- Login and users ------------------------------------------------------------------

    /**
     * Checks a username and password and starts a session.
     *
     * @throws UnauthenticatedException when the username or password is wrong (indistinguishably)
     * @throws ThrottledException       when the authority is shedding logins; retry after its delay
     */
    public LoginResult login(String username, String password, ClientInfo client) {
        return join(loginAsync(username, password, client));
    }

    /** The asynchronous form of {@link #login(String, String, ClientInfo)}. */
    public CompletableFuture<LoginResult> loginAsync(String username, String password, ClientInfo client) {
        Objects.requireNonNull(client, "client");
        return loginAsync(LoginRequest.newBuilder().setUsername(username).setPassword(password).setClient(client.proto()).build());
    }

    /**
     * Logs in with the authority's full request: initial attributes, the device token of a previous
     * login, the session-limit policy and limit for this product ({@code session_limit_policy},
     * {@code max_sessions}, {@code replace_session_id}), and any field newer than this SDK.
     *
     * @throws SessionLimitReachedException under the deny-new policy, when the user already has the
     *                                      most live sessions allowed: it lists them
     */
    public LoginResult login(LoginRequest request) {
        return join(loginAsync(request));
    }

    /** The asynchronous form of {@link #login(LoginRequest)}. */
    public CompletableFuture<LoginResult> loginAsync(LoginRequest request) {
        return calls.call("Login", hashingDeadline, s -> s.login(request)).thenApply(LoginResult::of);
    }

    /**
     * Creates a user.
     *
     * @throws AlreadyExistsException when the (normalized) username is taken
     */
    public CreatedUser createUser(String username, String password) {
        return join(createUserAsync(username, password));
    }

    /** The asynchronous form of {@link #createUser(String, String)}. */
    public CompletableFuture<CreatedUser> createUserAsync(String username, String password) {
        return calls.call("CreateUser", hashingDeadline, s -> s.createUser(CreateUserRequest.newBuilder().setUsername(username).setPassword(password).build()))
                .thenApply(response -> new CreatedUser(response.getUserId(), response.getUsername()));
    }

    /**
     * Changes a password and revokes every session of the user: the password may have leaked, and
     * so may any session made with it. Answers how many sessions were revoked. To keep the session
     * the change was made from, use {@link #changePassword(String, String, String, String)}.
     */
    public int changePassword(String userId, String currentPassword, String newPassword) {
        return join(changePasswordAsync(userId, currentPassword, newPassword));
    }

    /** The asynchronous form of {@link #changePassword(String, String, String)}. */
    public CompletableFuture<Integer> changePasswordAsync(String userId, String currentPassword, String newPassword) {
        return changePassword(ChangePasswordRequest.newBuilder().setUserId(userId).setCurrentPassword(currentPassword)
                .setNewPassword(newPassword).build());
    }

    /**
     * Changes a password and revokes every session of the user but {@code keepSessionId}, which must
     * name one (to keep none, leave it out: {@link #changePassword(String, String, String)}). Answers
     * how many sessions were revoked.
     */
    public int changePassword(String userId, String currentPassword, String newPassword, String keepSessionId) {
        return join(changePasswordAsync(userId, currentPassword, newPassword, keepSessionId));
    }

    /** The asynchronous form of {@link #changePassword(String, String, String, String)}. */
    public CompletableFuture<Integer> changePasswordAsync(String userId, String currentPassword, String newPassword, String keepSessionId) {
        return changePassword(ChangePasswordRequest.newBuilder().setUserId(userId).setCurrentPassword(currentPassword)
                .setNewPassword(newPassword).setKeepSessionId(named(keepSessionId, "keepSessionId",
                        "changePassword(userId, currentPassword, newPassword)")).build());
    }

    private CompletableFuture<Integer> changePassword(ChangePasswordRequest request) {
        return calls.call("ChangePassword", hashingDeadline, s -> s.changePassword(request)).thenApply(response -> response.getRevokedCount());
    }

    /**
     * Imports users whose passwords another system hashed (ImportUsers; needs the admin permission),
     * for a migration: each with its username and its hash as Spring Security stores it
     * ({@code {bcrypt}$2a$…}, {@code {pbkdf2}…}, {@code {pbkdf2@SpringSecurity_v5_8}…}). {@code users}
     * is read only as fast as the authority takes them (gRPC flow control), so a file of any size
     * streams in constant memory; {@code progress} is told how many were sent, every 1,000 and at the
     * end. Existing usernames are skipped, so after a failure the same users are simply sent again.
     *
     * @param deadline for the whole import (100,000 users take seconds, not milliseconds)
     * @throws UnavailableException when the authority or its Redis failed part way: send them again
     */
    public ImportSummary importUsers(java.util.Iterator<ImportUsersRequest> users, java.util.function.LongConsumer progress,
                                     Duration deadline) {
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(deadline, "deadline");
        CompletableFuture<ImportUsersResponse> summary = new CompletableFuture<>();
        streams.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS).importUsers(
                new io.grpc.stub.ClientResponseObserver<ImportUsersRequest, ImportUsersResponse>() {
                    private long sent;
                    private boolean closed;

                    @Override
                    public void beforeStart(io.grpc.stub.ClientCallStreamObserver<ImportUsersRequest> requests) {
                        // Called by gRPC one at a time, whenever the stream can take more.
                        requests.setOnReadyHandler(() -> {
                            try {
                                while (requests.isReady() && !closed) {
                                    if (!users.hasNext()) {
                                        closed = true;
                                        if (sent % 1000 != 0 || sent == 0) {
                                            progress.accept(sent);
                                        }
                                        requests.onCompleted();
                                        return;
                                    }
                                    requests.onNext(users.next());
                                    if (++sent % 1000 == 0) {
                                        progress.accept(sent);
                                    }
                                }
                            } catch (RuntimeException | Error readingFailed) {
                                // The caller's iterator or progress failed: the import stops, and says why.
                                closed = true;
                                summary.completeExceptionally(readingFailed);
                                requests.onError(readingFailed);
                            }
                        });
                    }

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
                        summary.completeExceptionally(new ServiceFailureException(io.grpc.Status.Code.INTERNAL, "",
                                "the authority ended the import without a summary", null));
                    }
                });
        try {
            return ImportSummary.of(summary.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException readingFailed && !(readingFailed instanceof io.grpc.StatusRuntimeException)) {
                throw readingFailed;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw Errors.map(e);
        }
    }

    /** {@code sessionId}, refused when empty: "none" is said by leaving the argument out, never by "". */
    private static String named(String sessionId, String parameter, String withoutIt) {
        if (sessionId == null || sessionId.isEmpty()) {
            throw new IllegalArgumentException(parameter + " must name a session; to keep none, call " + withoutIt);
        }
        return sessionId;
    }

    // ---- Revoke and list ------------------------------------------------------------------

    /** Ends the session of {@code token} (logout). Answers 1, or 0 when it had ended already. */
    public int revokeToken(String token) {
        return join(revokeTokenAsync(token));
    }

    /** The asynchronous form of {@link #revokeToken(String)}. */
    public CompletableFuture<Integer> revokeTokenAsync(String token) {
        if (cache == null) {
            return revoke(RevokeRequest.newBuilder().setToken(token).build());
        }
        cache.invalidate(token);
        // Again once it is done: a Validate in flight meanwhile may have put the session back.
        return revoke(RevokeRequest.newBuilder().setToken(token).build())
                .whenComplete((count, error) -> cache.invalidate(token));
    }

    /** Ends one session of a user. Answers 1, or 0 when it had ended already. */
    public int revokeSession(String userId, String sessionId) {
        return join(revokeSessionAsync(userId, sessionId));
    }

    /** The asynchronous form of {@link #revokeSession(String, String)}. */
    public CompletableFuture<Integer> revokeSessionAsync(String userId, String sessionId) {
        return revoke(RevokeRequest.newBuilder().setSession(SessionRef.newBuilder().setUserId(userId).setSessionId(sessionId)).build());
    }

    /** Ends every session of a user. Answers how many ended. */
    public int revokeAllSessions(String userId) {
        return join(revokeAllSessionsAsync(userId));
    }

    /** The asynchronous form of {@link #revokeAllSessions(String)}. */
    public CompletableFuture<Integer> revokeAllSessionsAsync(String userId) {
        return revoke(RevokeRequest.newBuilder().setAllSessions(AllSessions.newBuilder().setUserId(userId)).build());
    }

    /**
     * Ends every session of a user but {@code exceptSessionId}, which must name one (to end them all:
     * {@link #revokeAllSessions(String)}). Answers how many ended.
     */
    public int revokeAllSessions(String userId, String exceptSessionId) {
        return join(revokeAllSessionsAsync(userId, exceptSessionId));
    }

    /** The asynchronous form of {@link #revokeAllSessions(String, String)}. */
    public CompletableFuture<Integer> revokeAllSessionsAsync(String userId, String exceptSessionId) {
        return revoke(RevokeRequest.newBuilder().setAllSessions(AllSessions.newBuilder().setUserId(userId)
                .setExceptSessionId(named(exceptSessionId, "exceptSessionId", "revokeAllSessions(userId)"))).build());
    }

    private CompletableFuture<Integer> revoke(RevokeRequest request) {
        return calls.call("Revoke", deadline, s -> s.revoke(request)).thenApply(RevokeResponse::getRevokedCount);
    }

    /** The user's live sessions, newest first, without tokens. */
    public List<SessionInfo> listSessions(String userId) {
        return join(listSessionsAsync(userId));
    }

    /** The asynchronous form of {@link #listSessions(String)}. */
    public CompletableFuture<List<SessionInfo>> listSessionsAsync(String userId) {
        return calls.call("ListSessions", deadline, s -> s.listSessions(ListSessionsRequest.newBuilder().setUserId(userId).build()))
                .thenApply(response -> response.getSessionsList().stream().map(SessionInfo::of).toList());
    }

    /** Shuts the channel down (if this client created it), letting calls in flight finish for up to 5 s. */
    @Override
    public void close() {
        if (revocations != null) {
            revocations.close();
        }
        connection.close();
        if (!ownsChannel) {
            return;
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw Errors.map(e);
        }
    }

    /** Builds a {@link SessionAuthorityClient}. Plaintext or TLS must be chosen explicitly. */
    public static final class Builder {

        private final String target;
        private ChannelCredentials credentials;
        private CallCredentials callCredentials;
        private Duration deadline = DEFAULT_DEADLINE;
        private Duration hashingDeadline = DEFAULT_HASHING_DEADLINE;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private ClientListener listener = ClientListener.NONE;
        private java.util.concurrent.Executor callbackExecutor = com.google.common.util.concurrent.MoreExecutors.directExecutor();
        private final List<ClientInterceptor> interceptors = new java.util.ArrayList<>();
        private Duration keepAliveTime = Duration.ofSeconds(30);
        private int maxAttempts = 3;
        private int cacheMaxEntries;
        private Duration cacheMaxAge = Duration.ofSeconds(1);
        private boolean revocationStream = true;
        private Duration degradedCacheAge = Duration.ofSeconds(1);
        private Duration negativeCacheAge = Duration.ofSeconds(5);
        private Duration slideInterval = Duration.ZERO;
        private Clock clock = Clock.systemUTC();
        private ManagedChannel channel;

        private Builder(String target) {
            this.target = target;
        }

        /** No transport security: for loopback, a sidecar, or a mesh that encrypts for you. */
        public Builder plaintext() {
            this.credentials = InsecureChannelCredentials.create();
            return this;
        }

        /** TLS, trusting the CA certificates in this PEM file. */
        public Builder tls(Path trustedCertificates) {
            return tls(Pem.of(trustedCertificates));
        }

        /** TLS, trusting the CA certificates in {@code trustedCertificates}. */
        public Builder tls(Pem trustedCertificates) {
            try (InputStream ca = trustedCertificates.open()) {
                this.credentials = TlsChannelCredentials.newBuilder().trustManager(ca).build();
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot use " + trustedCertificates + " as trusted certificates: " + e.getMessage(), e);
            }
            return this;
        }

        /** TLS, trusting the JVM's default trust store (a public CA, or one your platform installs). */
        public Builder systemTrust() {
            this.credentials = TlsChannelCredentials.create();
            return this;
        }

        /** Mutual TLS with PEM files: the trusted CAs, this client's certificate chain and its private key (PKCS#8). */
        public Builder mutualTls(Path trustedCertificates, Path certificateChain, Path privateKey) {
            return mutualTls(Pem.of(trustedCertificates), Pem.of(certificateChain), Pem.of(privateKey));
        }

        /** Mutual TLS: TLS as {@link #tls(Pem)}, presenting this certificate chain and private key (PKCS#8). */
        public Builder mutualTls(Pem trustedCertificates, Pem certificateChain, Pem privateKey) {
            try (InputStream ca = trustedCertificates.open(); InputStream chain = certificateChain.open(); InputStream key = privateKey.open()) {
                this.credentials = TlsChannelCredentials.newBuilder().trustManager(ca).keyManager(chain, key).build();
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot use the TLS material (" + trustedCertificates + ", " + certificateChain
                        + ", " + privateKey + "): " + e.getMessage(), e);
            }
            return this;
        }

        /** Presents {@code apiKey} on every call, in {@value ApiKeyCredentials#DEFAULT_HEADER}. Send API keys only over TLS. */
        public Builder apiKey(String apiKey) {
            return callCredentials(ApiKeyCredentials.of(apiKey));
        }

        /** Any other transport credentials. */
        public Builder channelCredentials(ChannelCredentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Credentials attached to every call, such as {@link ApiKeyCredentials#of(String)}. */
        public Builder callCredentials(CallCredentials callCredentials) {
            this.callCredentials = Objects.requireNonNull(callCredentials, "callCredentials");
            return this;
        }

        /**
         * The deadline of every call but Login, CreateUser and ChangePassword (default 250 ms).
         * Always set: a call never waits forever.
         */
        public Builder deadline(Duration deadline) {
            this.deadline = positive(deadline, "deadline");
            return this;
        }

        /** The deadline of Login, CreateUser and ChangePassword, which hash passwords (default 2 s). */
        public Builder hashingDeadline(Duration hashingDeadline) {
            this.hashingDeadline = positive(hashingDeadline, "hashingDeadline");
            return this;
        }

        private static Duration positive(Duration value, String name) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return value;
        }

        /**
         * How long the first connection may take (name resolution, TCP and TLS handshakes), apart
         * from any call's deadline (default 5 s). Until the client has connected once, calls wait up
         * to this long for the connection before their own deadline starts.
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** Hears every call and cache hit, for metrics (see {@link ClientListener}). */
        public Builder listener(ClientListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** How often an idle connection is pinged to detect a dead peer (default 30 s, at least 10 s). */
        public Builder keepAliveTime(Duration keepAliveTime) {
            if (keepAliveTime.compareTo(Duration.ofSeconds(10)) < 0) {
                throw new IllegalArgumentException("the service refuses keepalive pings more often than every 10 s");
            }
            this.keepAliveTime = keepAliveTime;
            return this;
        }

        /** Attempts of a retried call, the first included (default 3; 1 turns retries off). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 5) {
                throw new IllegalArgumentException("maxAttempts must be between 1 and 5");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Turns on the revocation-aware validation cache (off by default): at most {@code maxEntries}
         * live answers, each reused for at most {@code maxAge} (up to 24 h) and never past its
         * session's idle or absolute expiry. The client subscribes to the authority's revocation
         * stream and forgets an answer the moment its session is revoked anywhere in the fleet. While
         * the stream is down or silent, only answers younger than {@link #degradedCacheAge} (1 s) are
         * reused, and after 10 s none: never a stale answer. Invalid answers are reused for 5 s.
         */
        public Builder validationCache(int maxEntries, Duration maxAge) {
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries must be positive");
            }
            if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(Duration.ofHours(24)) > 0) {
                throw new IllegalArgumentException("maxAge must be between 0 and 24 hours");
            }
            this.cacheMaxEntries = maxEntries;
            this.cacheMaxAge = maxAge;
            return this;
        }

        /**
         * Whether the cache follows the revocation stream (default true). Without it the cache is a
         * plain near-cache: answers live {@link #degradedCacheAge} at most, and a revoke elsewhere is
         * seen only once they age out.
         */
        public Builder revocationStream(boolean follow) {
            this.revocationStream = follow;
            return this;
        }

        /** How long a cached answer is reused while the revocation stream is not healthy (default 1 s, at most 2 s). */
        public Builder degradedCacheAge(Duration age) {
            if (age.isNegative() || age.compareTo(Duration.ofSeconds(2)) > 0) {
                throw new IllegalArgumentException("the degraded cache age must be between 0 and 2 seconds");
            }
            this.degradedCacheAge = age;
            return this;
        }

        /** How long an invalid answer is reused (default 5 s; zero turns negative caching off). */
        public Builder negativeCacheAge(Duration age) {
            if (age.isNegative() || age.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("the negative cache age must be between 0 and 1 minute");
            }
            this.negativeCacheAge = age;
            return this;
        }

        /**
         * Slides sessions that this client sees in use: a valid answer (from the cache or the
         * authority) for a session not touched for {@code interval} sends one Touch for it, in the
         * background, so cached validations still keep their sessions alive. At most one Touch per
         * session per interval from this client; off (zero) by default.
         */
        public Builder slideSessions(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("the slide interval must not be negative");
            }
            this.slideInterval = interval;
            return this;
        }

        /**
         * Where the futures of the {@code …Async} methods complete, and so where the stages you chain
         * on them without an executor of their own run. By default they complete on a gRPC transport
         * thread, which must never block: pass an executor of yours if your stages may (a database
         * call, a lock). An answer known without a call (a cache hit) completes on the calling thread.
         */
        public Builder callbackExecutor(java.util.concurrent.Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The clock the near-cache ages entries by (for tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Adds interceptors to every call this client makes — the revocation stream and the
         * readiness probe included — for what the SDK does not do itself: trace propagation
         * (OpenTelemetry's gRPC instrumentation, or a propagator's inject), headers of your own,
         * logging. Applied as grpc-java's {@link ClientInterceptors#intercept(Channel, List)}: the
         * last one added runs first. Also with {@link #channel(ManagedChannel)}.
         */
        public Builder intercept(ClientInterceptor... more) {
            for (ClientInterceptor interceptor : more) {
                interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            }
            return this;
        }

        /**
         * Uses a channel the caller built and owns (the client will not close it); target,
         * credentials, keepalive and retry settings are then the caller's.
         */
        public Builder channel(ManagedChannel channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        /** Builds the client, and starts connecting at once. */
        public SessionAuthorityClient build() {
            if (channel != null) {
                return new SessionAuthorityClient(this, channel, false);
            }
            if (credentials == null) {
                throw new IllegalStateException("choose plaintext(), tls(…), systemTrust(), mutualTls(…) or channelCredentials(…)");
            }
            ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target, credentials)
                    .defaultServiceConfig(serviceConfig(maxAttempts))
                    .keepAliveTime(keepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveTimeout(10, TimeUnit.SECONDS)
                    .userAgent("session-authority-client");
            if (maxAttempts > 1) {
                builder.enableRetry().maxRetryAttempts(maxAttempts);
            } else {
                builder.disableRetry();
            }
            return new SessionAuthorityClient(this, builder.build(), true);
        }

        /**
         * Round robin over every resolved address, and retries on UNAVAILABLE for the calls that are
         * safe to repeat, throttled so that an overloaded authority does not get triple the load
         * (retries stop while more than half of recent calls failed). Numbers are doubles: gRPC
         * reads the service config as parsed JSON.
         */
        static Map<String, Object> serviceConfig(int maxAttempts) {
            Map<String, Object> retryPolicy = Map.of(
                    "maxAttempts", (double) Math.max(maxAttempts, 2),
                    "initialBackoff", "0.01s",
                    "maxBackoff", "0.1s",
                    "backoffMultiplier", 2.0,
                    "retryableStatusCodes", List.of("UNAVAILABLE"));
            List<Map<String, Object>> idempotent = List.of(
                    Map.of("service", SERVICE, "method", "Validate"),
                    Map.of("service", SERVICE, "method", "Touch"),
                    Map.of("service", SERVICE, "method", "Revoke"),
                    Map.of("service", SERVICE, "method", "ListSessions"));
            return Map.of(
                    "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
                    "methodConfig", List.of(Map.of("name", idempotent, "retryPolicy", retryPolicy)),
                    "retryThrottling", Map.of("maxTokens", 10.0, "tokenRatio", 0.1));
        }
    }
}
