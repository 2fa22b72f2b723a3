package io.sessionauthority.client;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.wiring.TracingFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The builder's interceptor slot, as a team adding trace propagation uses it: a client span's
 * context crosses to the authority (whose server span joins the caller's trace), and the
 * interceptors see every call the client makes, the revocation stream's included.
 */
@Tag("end-to-end")
class ClientInterceptorsTest {

    private static final TextMapSetter<Metadata> HEADERS =
            (headers, key, value) -> headers.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);

    /** What OpenTelemetry's gRPC instrumentation does on the client side, reduced to propagation. */
    private static final class Propagating implements ClientInterceptor {
        final Set<String> methods = ConcurrentHashMap.newKeySet();

        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
            methods.add(method.getBareMethodName());
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<RespT> listener, Metadata headers) {
                    W3CTraceContextPropagator.getInstance().inject(Context.current(), headers, HEADERS);
                    super.start(listener, headers);
                }
            };
        }
    }

    @Test
    void aCallersTraceReachesTheAuthorityAndEveryCallPassesTheInterceptors() throws Exception {
        InMemorySpanExporter serverSpans = InMemorySpanExporter.create();
        OpenTelemetrySdk server = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(serverSpans)).build())
                .build();
        OpenTelemetrySdk caller = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build()).build();
        Propagating propagating = new Propagating();
        try (RedisServerProcess redis = RedisServerProcess.start();
             ApplicationContext context = ApplicationContext.builder("test")
                     .properties(Map.of("redis.uri", redis.uri()))
                     .singletons(new TracingFactory.TracingSdk(server, server))
                     .start()) {
            GrpcEmbeddedServer grpc = context.getBean(GrpcEmbeddedServer.class);
            grpc.start();
            try (SessionAuthorityClient client = SessionAuthorityClient.builder("127.0.0.1:" + grpc.getPort()).plaintext()
                    .validationCache(100, Duration.ofMinutes(1))
                    .intercept(propagating)
                    .build()) {
                client.awaitReady(Duration.ofSeconds(30));
                client.createUser("tracy", PASSWORD);
                String token = client.login("tracy", PASSWORD, ClientInfo.none()).token();

                Span span = caller.getTracer("caller").spanBuilder("GET /orders").startSpan();
                try (Scope ignored = span.makeCurrent()) {
                    assertThat(client.validate(token).isValid()).isTrue();
                } finally {
                    span.end();
                }

                String traceId = span.getSpanContext().getTraceId();
                List<SpanData> spans = serverSpans.getFinishedSpanItems();
                assertThat(spans).as("the authority's Validate span in the caller's trace").anySatisfy(s -> {
                    assertThat(s.getName()).endsWith("/Validate");
                    assertThat(s.getTraceId()).isEqualTo(traceId);
                    assertThat(s.getParentSpanId()).isEqualTo(span.getSpanContext().getSpanId());
                });
                Await.until("the revocation stream through the interceptors", Duration.ofSeconds(10),
                        () -> propagating.methods.contains("WatchRevocations"));
                assertThat(propagating.methods).contains("Validate", "Login", "CreateUser");
            }
        }
    }
}
