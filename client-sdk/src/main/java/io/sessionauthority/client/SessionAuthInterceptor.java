package io.sessionauthority.client;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Protects a gRPC server's methods with Session Authority, in one line:
 *
 * <pre>{@code
 * Server server = ServerBuilder.forPort(8080)
 *         .addService(ServerInterceptors.intercept(new OrdersService(), SessionAuthInterceptor.of(client)))
 *         .build();
 * }</pre>
 *
 * <p>Each call must carry {@code authorization: Bearer <token>} (the header name is configurable).
 * A missing, malformed or not-live token ends the call with UNAUTHENTICATED; when the authority
 * cannot be asked it ends with UNAVAILABLE, and when the authority refuses this server's own
 * credentials with INTERNAL (a deployment error, logged by the client), so a call is never let
 * through unchecked.
 *
 * <p><b>Never blocking.</b> The token is checked asynchronously: no thread waits for the answer.
 * The call starts once it is known, on the interceptor's executor (by default a cached pool of
 * daemon threads, like grpc-java's default server executor; pass the server's own with
 * {@link Builder#executor}); whatever the transport delivered meanwhile (messages, half-close,
 * cancellation) is replayed in order.
 *
 * <p><b>The session in your code.</b> A checked call runs with its session in the gRPC
 * {@link Context}: {@link #currentSession()} returns it on the thread that runs the handler. Like
 * every gRPC Context value it does not follow your code to other threads by itself: wrap what you
 * hand to an executor ({@code Context.current().wrap(task)}) or use
 * {@code Context.currentContextExecutor(executor)}. Streaming calls are checked once, when they
 * start: a session revoked later does not end a stream that is already open.
 */
public final class SessionAuthInterceptor implements ServerInterceptor {

    /** The session of the current call, set for every call this interceptor let through. */
    public static final Context.Key<SessionInfo> SESSION = Context.key("session-authority-session");

    /** The default header: {@code authorization}. */
    public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /**
     * The response header that carries a rotated session token (see {@link Builder#rotateTokens()}):
     * the caller uses it from then on, instead of the one it sent.
     */
    /** Where a step-up refusal says what the method needs (RFC 9470's challenge). */
    public static final Metadata.Key<String> WWW_AUTHENTICATE = Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> ROTATED_TOKEN = Metadata.Key.of("session-authority-token", Metadata.ASCII_STRING_MARSHALLER);

    private static final String BEARER = "bearer ";
    private static final Executor DEFAULT_EXECUTOR = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "session-auth-interceptor");
        thread.setDaemon(true);
        return thread;
    });

    private final SessionAuthorityClient client;
    private final Metadata.Key<String> header;
    private final boolean rotateTokens;
    private final java.util.Map<String, Assurance> required;
    private final java.time.Clock clock;
    private final boolean bearerScheme;
    private final Set<String> exemptMethods;
    private final Set<String> exemptServices;
    private final Executor executor;

    private SessionAuthInterceptor(Builder builder) {
        this.client = builder.client;
        this.header = builder.header;
        this.bearerScheme = builder.bearerScheme;
        this.exemptMethods = Set.copyOf(builder.exemptMethods);
        this.exemptServices = Set.copyOf(builder.exemptServices);
        this.executor = builder.executor;
        this.rotateTokens = builder.rotateTokens;
        this.required = java.util.Map.copyOf(builder.required);
        this.clock = builder.client.clock();
    }

    /** An interceptor with the defaults: {@code authorization: Bearer <token>}, no exempt methods. */
    public static SessionAuthInterceptor of(SessionAuthorityClient client) {
        return builder(client).build();
    }

    /** Starts building an interceptor that validates through {@code client}. */
    public static Builder builder(SessionAuthorityClient client) {
        return new Builder(Objects.requireNonNull(client, "client"));
    }

    /** The session of the call being served, or null outside a call this interceptor let through. */
    public static SessionInfo currentSession() {
        return SESSION.get();
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
        if (exemptMethods.contains(method.getFullMethodName()) || exemptServices.contains(method.getServiceName())) {
            return next.startCall(call, headers);
        }
        String token = token(headers.get(header));
        if (token == null) {
            return reject(call, Status.UNAUTHENTICATED.withDescription(bearerScheme
                    ? "missing '" + header.name() + ": Bearer <token>'"
                    : "missing '" + header.name() + "'"));
        }
        PendingCall<ReqT> pending = new PendingCall<>();
        CompletableFuture<ValidationResult> checked = rotateTokens ? client.validateAndRefreshAsync(token) : client.validateAsync(token);
        Assurance assurance = required.get(method.getFullMethodName());
        checked.whenComplete((result, error) -> executor.execute(() -> {
            Status refusal = error != null ? refusal(Errors.unwrap(error)) : result.isValid() ? null
                    : Status.UNAUTHENTICATED.withDescription("the session is not valid ("
                            + result.reason().name().toLowerCase(Locale.ROOT) + ")");
            if (refusal == null && assurance != null && !assurance.metBy(result.session().orElseThrow(), clock.instant())) {
                // RFC 9470's challenge, in the trailers: step up, do not log in again.
                Metadata challenge = new Metadata();
                challenge.put(WWW_AUTHENTICATE, "Bearer error=\"insufficient_user_authentication\", acr_values=\"aal"
                        + assurance.minLevel() + "\"" + (assurance.maxAge() == null ? "" : ", max_age=" + assurance.maxAge().toSeconds()));
                closeQuietly(call, Status.UNAUTHENTICATED.withDescription("step-up required: this method needs " + assurance), challenge);
                pending.start(new ServerCall.Listener<>() {
                });
                return;
            }
            if (refusal != null) {
                closeQuietly(call, refusal);
                pending.start(new ServerCall.Listener<>() {
                });
                return;
            }
            Context context = Context.current().withValue(SESSION, result.session().orElseThrow());
            ServerCall<ReqT, RespT> answered = result.newToken().map(rotated -> withRotatedToken(call, rotated)).orElse(call);
            pending.start(Contexts.interceptCall(context, answered, headers, next));
        }));
        return pending;
    }

    /** The call, its response headers carrying the session's new token for the caller to use from now on. */
    private static <ReqT, RespT> ServerCall<ReqT, RespT> withRotatedToken(ServerCall<ReqT, RespT> call, String token) {
        return new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private boolean sent;

            @Override
            public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(ROTATED_TOKEN, token);
                sent = true;
                super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (!sent) {
                    trailers.put(ROTATED_TOKEN, token); // a call that ends without headers: trailers-only
                }
                super.close(status, trailers);
            }
        };
    }

    private static Status refusal(Throwable error) {
        if (error instanceof MisconfiguredException || error instanceof UnauthenticatedException
                || error instanceof PermissionDeniedException) {
            // The authority refused *this server* (TLS trust, API key, certificate or permission): a
            // deployment error to fix, not an outage to retry, and never a reason to let the call through.
            return Status.INTERNAL.withDescription("cannot check the session token: this server cannot ask Session Authority");
        }
        // Fail closed: a call is never let through because the authority could not be asked.
        return Status.UNAVAILABLE.withDescription("cannot check the session token right now; retry");
    }

    private String token(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!bearerScheme) {
            return value.trim();
        }
        if (value.length() <= BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return value.substring(BEARER.length()).trim();
    }

    private static <ReqT, RespT> ServerCall.Listener<ReqT> reject(ServerCall<ReqT, RespT> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    private static void closeQuietly(ServerCall<?, ?> call, Status status) {
        closeQuietly(call, status, new Metadata());
    }

    private static void closeQuietly(ServerCall<?, ?> call, Status status, Metadata trailers) {
        try {
            call.close(status, trailers);
        } catch (IllegalStateException alreadyClosed) {
            // The caller cancelled while the token was being checked.
        }
    }

    /**
     * The listener of a call whose start waits for the token check: it keeps what the transport
     * delivers until the real listener exists, then replays it in order and passes everything
     * after straight on. Never two events at once, never out of order.
     */
    private static final class PendingCall<ReqT> extends ServerCall.Listener<ReqT> {

        private final Object lock = new Object();
        private List<Consumer<ServerCall.Listener<ReqT>>> pending = new ArrayList<>();
        private ServerCall.Listener<ReqT> delegate;

        void start(ServerCall.Listener<ReqT> listener) {
            while (true) {
                List<Consumer<ServerCall.Listener<ReqT>>> batch;
                synchronized (lock) {
                    if (pending.isEmpty()) {
                        delegate = listener;
                        return;
                    }
                    batch = pending;
                    pending = new ArrayList<>();
                }
                batch.forEach(event -> event.accept(listener));
            }
        }

        private void deliver(Consumer<ServerCall.Listener<ReqT>> event) {
            ServerCall.Listener<ReqT> target;
            synchronized (lock) {
                target = delegate;
                if (target == null) {
                    pending.add(event);
                    return;
                }
            }
            event.accept(target);
        }

        @Override
        public void onMessage(ReqT message) {
            deliver(listener -> listener.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            deliver(ServerCall.Listener::onHalfClose);
        }

        @Override
        public void onCancel() {
            deliver(ServerCall.Listener::onCancel);
        }

        @Override
        public void onComplete() {
            deliver(ServerCall.Listener::onComplete);
        }

        @Override
        public void onReady() {
            deliver(ServerCall.Listener::onReady);
        }
    }

    /** Builds a {@link SessionAuthInterceptor}. */
    public static final class Builder {

        private final SessionAuthorityClient client;
        private Metadata.Key<String> header = AUTHORIZATION;
        private boolean bearerScheme = true;
        private final Set<String> exemptMethods = new HashSet<>();
        private final Set<String> exemptServices = new HashSet<>();
        private Executor executor = DEFAULT_EXECUTOR;
        private boolean rotateTokens;
        private final java.util.Map<String, Assurance> required = new java.util.HashMap<>();

        private Builder(SessionAuthorityClient client) {
            this.client = client;
        }

        /** Reads {@code <name>: Bearer <token>} instead of {@code authorization}. */
        public Builder bearerHeader(String name) {
            this.header = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
            this.bearerScheme = true;
            return this;
        }

        /** Reads the bare token from header {@code name} (no "Bearer " scheme), e.g. {@code x-session-token}. */
        public Builder tokenHeader(String name) {
            this.header = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
            this.bearerScheme = false;
            return this;
        }

        /**
         * Adds methods that need no session, by full name ({@code package.Service/Method}), for
         * example {@code grpc.health.v1.Health/Check}. Each call adds to the earlier ones.
         */
        public Builder exempt(String... fullMethodNames) {
            for (String name : fullMethodNames) {
                if (!Objects.requireNonNull(name, "fullMethodName").contains("/")) {
                    throw new IllegalArgumentException("'" + name + "' is not a full method name (package.Service/Method); "
                            + "to exempt a whole service use exemptService");
                }
                exemptMethods.add(name);
            }
            return this;
        }

        /** Adds whole services that need no session, by full name, for example {@code grpc.health.v1.Health}. */
        public Builder exemptService(String... fullServiceNames) {
            for (String name : fullServiceNames) {
                exemptServices.add(Objects.requireNonNull(name, "fullServiceName"));
            }
            return this;
        }

        /** Where a checked call starts (by default a cached pool of daemon threads); pass the server's own executor. */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Rotates a token the deployment says is due ({@code session-authority.sessions.rotate-after})
         * and sends the new one back in the {@link #ROTATED_TOKEN} response header. Only for
         * services whose callers read that header: a caller that keeps sending the old token past
         * its grace ends its own session (taken as a stolen token's reuse).
         */
        public Builder rotateTokens() {
            this.rotateTokens = true;
            return this;
        }

        /**
         * Methods (full names, {@code package.Service/Method}) that need more than a live session, e.g.
         * {@code require(Assurance.aal2().within(Duration.ofMinutes(10)), "bank.Payments/Transfer")}.
         * A session that falls short is refused UNAUTHENTICATED with a {@code www-authenticate}
         * trailer saying what to step up to.
         */
        public Builder require(Assurance assurance, String... fullMethodNames) {
            Objects.requireNonNull(assurance, "assurance");
            for (String name : fullMethodNames) {
                if (!Objects.requireNonNull(name, "fullMethodName").contains("/")) {
                    throw new IllegalArgumentException("'" + name + "' is not a full method name (package.Service/Method)");
                }
                required.put(name, assurance);
            }
            return this;
        }

        /** Builds the interceptor. */
        public SessionAuthInterceptor build() {
            return new SessionAuthInterceptor(this);
        }
    }
}
