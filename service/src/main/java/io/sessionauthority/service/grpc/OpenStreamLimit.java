package io.sessionauthority.service.grpc;

import com.google.rpc.Code;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the streaming calls open at once, per method. A stream (health Watch, a revocation watch)
 * holds memory and a slot for as long as the caller keeps it, and health is open to callers that
 * never authenticate: without a bound, fifteen thousand idle Watch streams were accepted. Beyond
 * the bound a new stream is refused with RESOURCE_EXHAUSTED; unary calls are never counted.
 */
public final class OpenStreamLimit implements ServerInterceptor, Ordered {

    @Override
    public int getOrder() {
        return InterceptorOrder.OPEN_STREAM_LIMIT;
    }


    private final int maxOpenStreams;
    private final ConcurrentMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

    public OpenStreamLimit(int maxOpenStreams) {
        this.maxOpenStreams = maxOpenStreams;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor.MethodType type = call.getMethodDescriptor().getType();
        if (type == MethodDescriptor.MethodType.UNARY || type == MethodDescriptor.MethodType.CLIENT_STREAMING) {
            return next.startCall(call, headers);
        }
        AtomicInteger count = open.computeIfAbsent(call.getMethodDescriptor().getFullMethodName(), name -> new AtomicInteger());
        if (count.incrementAndGet() > maxOpenStreams) {
            count.decrementAndGet();
            var refused = ErrorMapping.status(Code.RESOURCE_EXHAUSTED, "TOO_MANY_STREAMS",
                    "too many open streams of " + call.getMethodDescriptor().getFullMethodName() + "; retry later");
            call.close(refused.getStatus(), refused.getTrailers() == null ? new Metadata() : refused.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        ServerCall.Listener<ReqT> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException e) {
            count.decrementAndGet();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean released;

            private void release() {
                if (!released) {
                    released = true;
                    count.decrementAndGet();
                }
            }

            @Override
            public void onComplete() {
                release();
                super.onComplete();
            }

            @Override
            public void onCancel() {
                release();
                super.onCancel();
            }
        };
    }

    /** Streams of {@code fullMethodName} open now. */
    public int open(String fullMethodName) {
        AtomicInteger count = open.get(fullMethodName);
        return count == null ? 0 : count.get();
    }
}
