package io.sessionauthority.service.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;

/**
 * The order of the service's gRPC interceptors, outermost first (Micronaut installs lower orders
 * further out). Connection activity counts every call (and spots rapid reset); metrics and tracing see every call,
 * refused ones included; caller authentication
 * names the caller; then each caller's shares (open streams, calls that write to the shared logs)
 * refuse what is over them, right before the endpoint. Pinned by TracingEndToEndTest (a refused call
 * is traced and counted).
 */
public final class InterceptorOrder {

    public static final int CONNECTION_ACTIVITY = 1;
    public static final int METRICS = 5;
    public static final int TRACING = 10;
    public static final int CALLER_AUTH = 30;
    public static final int OPEN_STREAM_LIMIT = 40;
    public static final int LOG_WRITE_QUOTA = 45;

    private InterceptorOrder() {
    }

    /** {@code interceptor} at {@code order}, for interceptors from libraries that have none. */
    public static ServerInterceptor ordered(ServerInterceptor interceptor, int order) {
        return new OrderedInterceptor(interceptor, order);
    }

    private record OrderedInterceptor(ServerInterceptor delegate, int order) implements ServerInterceptor, Ordered {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                     ServerCallHandler<ReqT, RespT> next) {
            return delegate.interceptCall(call, headers, next);
        }

        @Override
        public int getOrder() {
            return order;
        }
    }
}
