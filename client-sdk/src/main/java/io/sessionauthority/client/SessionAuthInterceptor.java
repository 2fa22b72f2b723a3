package io.sessionauthority.client;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.sessionauthority.v1.Session;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

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
 * cannot be asked it ends with UNAVAILABLE, so a call is never let through unchecked. A checked
 * call runs with its session in the gRPC {@link Context}: {@link #currentSession()} returns it.
 *
 * <p>The token is validated before the call starts, blocking the thread that starts it for at most
 * the client's deadline (250 ms by default; usually well under a millisecond): keep the server on
 * its default executor, never {@code directExecutor()}. A near-cache on the client
 * ({@link SessionAuthorityClient.Builder#validationCache}) saves most round trips for busy tokens.
 */
public final class SessionAuthInterceptor implements ServerInterceptor {

    /** The session of the current call, set for every call this interceptor let through. */
    public static final Context.Key<Session> SESSION = Context.key("session-authority-session");

    /** The default header: {@code authorization}. */
    public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final String BEARER = "bearer ";
    private static final Logger LOG = Logger.getLogger(SessionAuthInterceptor.class.getName());

    private final SessionAuthorityClient client;
    private final Metadata.Key<String> header;
    private final boolean bearerScheme;
    private final Set<String> exemptMethods;

    private SessionAuthInterceptor(Builder builder) {
        this.client = builder.client;
        this.header = builder.header;
        this.bearerScheme = builder.bearerScheme;
        this.exemptMethods = Set.copyOf(builder.exemptMethods);
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
    public static Session currentSession() {
        return SESSION.get();
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        if (exemptMethods.contains(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        String token = token(headers.get(header));
        if (token == null) {
            return reject(call, Status.UNAUTHENTICATED.withDescription(bearerScheme
                    ? "missing '" + header.name() + ": Bearer <token>'"
                    : "missing '" + header.name() + "'"));
        }
        ValidationResult result;
        try {
            result = client.validate(token);
        } catch (InvalidArgumentException malformed) {
            return reject(call, Status.UNAUTHENTICATED.withDescription("the session token is malformed"));
        } catch (UnauthenticatedException | PermissionDeniedException misconfigured) {
            // The authority refused *this server* (API key, certificate or permission): a deployment
            // error to fix, not an outage to retry, and still never a reason to let the call through.
            LOG.log(Level.SEVERE, "Session Authority refused this server's credentials: " + misconfigured.getMessage());
            return reject(call, Status.INTERNAL.withDescription("cannot check the session token: this server is not allowed to ask"));
        } catch (SessionAuthorityException unavailable) {
            // Fail closed: a call is never let through because the authority could not be asked.
            return reject(call, Status.UNAVAILABLE.withDescription("cannot check the session token right now; retry"));
        }
        if (!result.isValid()) {
            return reject(call, Status.UNAUTHENTICATED.withDescription("the session is not valid ("
                    + result.reason().name().replace("INVALID_REASON_", "").toLowerCase(Locale.ROOT) + ")"));
        }
        Context context = Context.current().withValue(SESSION, result.session().orElseThrow());
        return Contexts.interceptCall(context, call, headers, next);
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

    /** Builds a {@link SessionAuthInterceptor}. */
    public static final class Builder {

        private final SessionAuthorityClient client;
        private Metadata.Key<String> header = AUTHORIZATION;
        private boolean bearerScheme = true;
        private Set<String> exemptMethods = Set.of();

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
         * Methods that need no session, by full name ({@code package.Service/Method}), for example
         * {@code grpc.health.v1.Health/Check}.
         */
        public Builder exempt(String... fullMethodNames) {
            this.exemptMethods = Set.of(fullMethodNames);
            return this;
        }

        /** Builds the interceptor. */
        public SessionAuthInterceptor build() {
            return new SessionAuthInterceptor(this);
        }
    }
}
