package io.sessionauthority.service.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;

/**
 * One server span per RPC, continuing the caller's W3C trace context. The span is current while the
 * call's handler runs, so the Redis work it starts becomes child spans. It carries the session and
 * user ids of the answer when there is one — public identifiers — and never a token.
 */
public final class TracingInterceptor implements ServerInterceptor, Ordered {

    @Override
    public int getOrder() {
        return InterceptorOrder.TRACING;
    }


    private static final TextMapPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Metadata> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
            return carrier.keys();
        }

        @Override
        public String get(Metadata carrier, String key) {
            return carrier == null ? null : carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        }
    };

    private final Tracer tracer;

    public TracingInterceptor(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Context parent = PROPAGATOR.extract(Context.root(), headers, HEADERS);
        Span span = tracer.spanBuilder(method).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute("rpc.system", "grpc")
                .setAttribute("rpc.service", call.getMethodDescriptor().getServiceName())
                .setAttribute("rpc.method", call.getMethodDescriptor().getBareMethodName())
                .startSpan();
        Context context = parent.with(span);
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        ServerCall<ReqT, RespT> traced = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(RespT message) {
                annotate(span, message);
                super.sendMessage(message);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                end(span, ended, status);
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<ReqT> listener;
        try (Scope ignored = context.makeCurrent()) {
            listener = next.startCall(traced, headers);
        } catch (RuntimeException e) {
            end(span, ended, Status.fromThrowable(e));
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(ReqT message) {
                try (Scope ignored = context.makeCurrent()) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                try (Scope ignored = context.makeCurrent()) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onCancel() {
                // The caller gave up (or its deadline passed): that is the call's outcome, whatever the handler does next.
                end(span, ended, Status.CANCELLED);
                super.onCancel();
            }
        };
    }

    private static void end(Span span, java.util.concurrent.atomic.AtomicBoolean ended, Status status) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        span.setAttribute("rpc.grpc.status_code", status.getCode().value());
        if (!status.isOk()) {
            span.setStatus(StatusCode.ERROR, status.getCode().name());
        }
        span.end();
    }

    /** Session and user ids from an answer's {@code session} field, when it has one. */
    static void annotate(Span span, Object message) {
        // Unsampled (or tracing off), nothing would be kept: the descriptor lookup below allocates on
        // every answer, and was a fortieth of what a hot Validate allocated.
        if (!span.isRecording() || !(message instanceof Message proto)) {
            return;
        }
        Descriptors.FieldDescriptor field = proto.getDescriptorForType().findFieldByName("session");
        if (field == null || field.getType() != Descriptors.FieldDescriptor.Type.MESSAGE || !proto.hasField(field)) {
            return;
        }
        if (proto.getField(field) instanceof io.sessionauthority.v1.Session session) {
            span.setAttribute("session.id", session.getSessionId());
            span.setAttribute("enduser.id", session.getUserId());
        }
    }
}
