package io.sessionauthority.service.grpc;

/**
 * The order of this service's gRPC interceptors, outermost first (Micronaut installs lower orders
 * further out). Tracing sees every call, refused ones included; the stream bound refuses a flood
 * before anything else works on it; caller authentication runs last, right before the endpoint.
 */
public final class InterceptorOrder {

    public static final int TRACING = 10;
    public static final int OPEN_STREAM_LIMIT = 20;
    public static final int CALLER_AUTH = 30;

    private InterceptorOrder() {
    }
}
