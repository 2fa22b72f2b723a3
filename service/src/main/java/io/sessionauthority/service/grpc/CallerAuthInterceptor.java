package io.sessionauthority.service.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import io.grpc.StatusRuntimeException;
import com.google.rpc.Code;
import io.sessionauthority.service.security.AccessPolicy;
import io.sessionauthority.service.security.Caller;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.config.SecurityProperties;
import io.sessionauthority.service.security.TlsIdentities;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates the calling service (mutual TLS, or an API key in metadata) and checks its
 * permission for the method, before the request is even read: an unknown caller gets
 * UNAUTHENTICATED, a known one without the permission PERMISSION_DENIED, and nothing is looked up
 * for either. The caller rides in the gRPC {@link Context} ({@link #CALLER}) for the endpoint and
 * the audit log.
 */
public final class CallerAuthInterceptor implements ServerInterceptor, Ordered {

    @Override
    public int getOrder() {
        return InterceptorOrder.CALLER_AUTH;
    }


    /** The authenticated caller of the current call. */
    public static final Context.Key<Caller> CALLER = Context.key("session-authority-caller");

    private final CallerRegistry registry;
    private final boolean required;
    private final Metadata.Key<String> apiKeyHeader;
    private final Set<String> openServices;

    public CallerAuthInterceptor(CallerRegistry registry, SecurityProperties properties) {
        this.registry = registry;
        this.required = properties.callerAuth() == SecurityProperties.CallerAuth.REQUIRED;
        this.apiKeyHeader = Metadata.Key.of(properties.apiKeyHeader(), Metadata.ASCII_STRING_MARSHALLER);
        this.openServices = Set.copyOf(properties.openServices());
        for (String service : openServices) {
            if (AccessPolicy.protects(service)) {
                throw new IllegalStateException("session-authority.security.open-services must not list " + service
                        + ": its methods always need a caller");
            }
        }
    }

    /**
     * The caller of the current call. Fails closed: a call that did not pass this interceptor has a
     * caller with no permission at all.
     */
    public static Caller currentCaller() {
        Caller caller = CALLER.get();
        return caller != null ? caller : Caller.NOBODY;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (openServices.contains(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        if (!required) {
            return Contexts.interceptCall(Context.current().withValue(CALLER, Caller.UNAUTHENTICATED_DEV), call, headers, next);
        }
        Optional<Caller> caller = identify(call, headers);
        if (caller.isEmpty()) {
            return close(call, ErrorMapping.status(Code.UNAUTHENTICATED, "CALLER_UNAUTHENTICATED", "unknown caller: present a "
                    + "client certificate of a configured caller, or its API key in the '" + apiKeyHeader.name() + "' header"));
        }
        if (!AccessPolicy.allows(caller.get(), method)) {
            return close(call, ErrorMapping.status(Code.PERMISSION_DENIED, "PERMISSION_DENIED", "caller '" + caller.get().name()
                    + "' may not call " + method));
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller.get()), call, headers, next);
    }

    private Optional<Caller> identify(ServerCall<?, ?> call, Metadata headers) {
        Optional<Caller> byCertificate = registry.byTlsIdentity(
                TlsIdentities.of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)));
        if (byCertificate.isPresent()) {
            return byCertificate;
        }
        String apiKey = headers.get(apiKeyHeader);
        return apiKey == null || apiKey.isEmpty() ? Optional.empty() : registry.byApiKey(apiKey);
    }

    private static <ReqT, RespT> ServerCall.Listener<ReqT> close(ServerCall<ReqT, RespT> call, StatusRuntimeException error) {
        call.close(error.getStatus(), error.getTrailers() == null ? new Metadata() : error.getTrailers());
        return new ServerCall.Listener<>() {
        };
    }
}
