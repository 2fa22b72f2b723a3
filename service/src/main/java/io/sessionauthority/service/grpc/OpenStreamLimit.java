package io.sessionauthority.service.grpc;

import com.google.rpc.Code;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import io.sessionauthority.service.admission.StreamQuotas;
import io.sessionauthority.service.security.Caller;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Applies {@link StreamQuotas} to every streaming call (health Watch, WatchRevocations): beyond the
 * caller's share, or its share from its address, or the method's bound for everyone, a new stream is
 * refused with RESOURCE_EXHAUSTED (TOO_MANY_STREAMS, the message saying which). Unary calls are never
 * counted. Runs after caller authentication, which names the caller to charge.
 */
public final class OpenStreamLimit implements ServerInterceptor, Ordered {

    private final StreamQuotas quotas;

    public OpenStreamLimit(StreamQuotas quotas) {
        this.quotas = quotas;
    }

    @Override
    public int getOrder() {
        return InterceptorOrder.OPEN_STREAM_LIMIT;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor.MethodType type = call.getMethodDescriptor().getType();
        if (type == MethodDescriptor.MethodType.UNARY || type == MethodDescriptor.MethodType.CLIENT_STREAMING) {
            return next.startCall(call, headers);
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        Caller caller = CallerAuthInterceptor.currentCaller();
        StreamQuotas.Outcome outcome = quotas.open(method, caller.authenticated() ? caller.name() : StreamQuotas.ANONYMOUS,
                addressOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
        if (outcome.lease() == null) {
            var refused = ErrorMapping.status(Code.RESOURCE_EXHAUSTED, "TOO_MANY_STREAMS", switch (outcome.refusal()) {
                case ADDRESS_SHARE_USED -> "this caller holds its share of open " + method + " streams from this address; close one first";
                case CALLER_SHARE_USED -> "this caller holds its share of open " + method + " streams; close one first";
                case SERVICE_FULL -> "too many open streams of " + method + "; retry later";
            });
            call.close(refused.getStatus(), refused.getTrailers() == null ? new Metadata() : refused.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        StreamQuotas.Lease lease = outcome.lease();
        ServerCall.Listener<ReqT> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException e) {
            lease.release();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                lease.release();
                super.onComplete();
            }

            @Override
            public void onCancel() {
                lease.release();
                super.onCancel();
            }
        };
    }

    /** Streams of {@code fullMethodName} open now. */
    public int open(String fullMethodName) {
        return quotas.open(fullMethodName);
    }

    /** The client's IP address; an in-process or unknown transport counts as one address. */
    static InetAddress addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress() : InetAddress.getLoopbackAddress();
    }
}
