package io.sessionauthority.service.grpc;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import io.sessionauthority.service.admission.RateQuotas;
import io.sessionauthority.service.error.OverloadedException;
import io.sessionauthority.service.security.Caller;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import java.time.Duration;
import java.util.Set;

/**
 * Each caller's share of the calls that write to the logs every caller shares: the audit trail and
 * the revocation stream that every cache follows (Login, CreateUser, Revoke, ChangePassword). Beyond
 * its {@link RateQuotas} share a caller's call is refused with RESOURCE_EXHAUSTED
 * (CALLER_QUOTA_EXCEEDED) and a RetryInfo saying when it may go ahead, before anything is read or
 * written; other callers are not slowed. Authenticated callers are charged by name, others by address.
 */
public final class LogWriteQuota implements ServerInterceptor, Ordered {

    private static final Set<String> LOG_WRITERS = Set.of(
            SessionAuthorityServiceGrpc.getLoginMethod().getFullMethodName(),
            SessionAuthorityServiceGrpc.getCreateUserMethod().getFullMethodName(),
            SessionAuthorityServiceGrpc.getRevokeMethod().getFullMethodName(),
            SessionAuthorityServiceGrpc.getChangePasswordMethod().getFullMethodName());

    private final RateQuotas quotas;

    public LogWriteQuota(RateQuotas quotas) {
        this.quotas = quotas;
    }

    @Override
    public int getOrder() {
        return InterceptorOrder.LOG_WRITE_QUOTA;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (!LOG_WRITERS.contains(method)) {
            return next.startCall(call, headers);
        }
        Caller caller = CallerAuthInterceptor.currentCaller();
        String charged = caller.authenticated() ? "caller:" + caller.name()
                : "address:" + OpenStreamLimit.addressOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)).getHostAddress();
        Duration wait = quotas.take(charged);
        if (wait.isZero()) {
            return next.startCall(call, headers);
        }
        Duration retryAfter = wait.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : wait;
        var refused = ErrorMapping.toStatus(new OverloadedException("CALLER_QUOTA_EXCEEDED",
                "this caller is over its share of calls that write to the shared logs; retry in " + retryAfter.toMillis() + " ms",
                retryAfter), method);
        call.close(refused.getStatus(), refused.getTrailers() == null ? new Metadata() : refused.getTrailers());
        return new ServerCall.Listener<>() {
        };
    }
}
