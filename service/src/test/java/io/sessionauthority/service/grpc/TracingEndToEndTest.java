package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.sessionauthority.service.wiring.TracingFactory;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Spans for each RPC and its Redis work, continuing the caller's trace, with ids but never a token. */
@Tag("end-to-end")
class TracingEndToEndTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void eachRpcAndItsRedisWorkIsASpanInTheCallersTrace() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .build();
        try (RedisServerProcess redis = RedisServerProcess.start();
             ApplicationContext context = ApplicationContext.builder("test")
                     .properties(Map.of("redis.uri", redis.uri()))
                     .singletons(new TracingFactory.TracingSdk(sdk, sdk))
                     .start()) {
            GrpcEmbeddedServer server = context.getBean(GrpcEmbeddedServer.class);
            server.start();
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
            try {
                SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub stub = SessionAuthorityServiceGrpc
                        .newBlockingStub(ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)))
                        .withDeadlineAfter(10, TimeUnit.SECONDS);
                stub.createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
                LoginResponse login = stub.login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
                stub.validate(ValidateRequest.newBuilder().setToken(login.getToken()).build());

                List<SpanData> spans = exporter.getFinishedSpanItems();
                SpanData validate = spans.stream().filter(s -> s.getName().endsWith("/Validate")).findFirst().orElseThrow();
                assertThat(validate.getTraceId()).isEqualTo(TRACE_ID);
                assertThat(validate.getAttributes().get(AttributeKey.stringKey("session.id"))).isEqualTo(login.getSession().getSessionId());
                assertThat(validate.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))).isZero();
                SpanData redisWork = spans.stream().filter(s -> s.getName().equals("redis validate_read")).findFirst().orElseThrow();
                assertThat(redisWork.getParentSpanId()).isEqualTo(validate.getSpanId());
                assertThat(spans).anySatisfy(s -> assertThat(s.getName()).endsWith("/Login"));

                // A session that is not plainly live goes on to the validate script, on Lettuce's
                // thread: its span still belongs to the RPC.
                stub.validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build());
                List<SpanData> after = exporter.getFinishedSpanItems();
                SpanData script = after.stream().filter(s -> s.getName().equals("redis validate_session")).findFirst().orElseThrow();
                assertThat(after).anySatisfy(s -> {
                    assertThat(s.getName()).endsWith("/Validate");
                    assertThat(s.getSpanId()).isEqualTo(script.getParentSpanId());
                });
                assertThat(spans.toString()).doesNotContain(login.getToken()).doesNotContain("correct horse battery");
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /**
     * Pins the interceptor order (metrics, then tracing, then the stream bound, then caller
     * authentication): a call refused by caller authentication is still traced and still counted,
     * and a call whose caller gives up in flight ends its span as CANCELLED.
     */
    @Test
    void refusedAndCancelledCallsAreTracedAndCounted() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .build();
        String key = "an-edge-key-for-tracing";
        try (RedisServerProcess redis = RedisServerProcess.start();
             ApplicationContext context = ApplicationContext.builder("test")
                     .properties(Map.of("redis.uri", redis.uri(),
                             "session-authority.passwords.hashing-threads", 1,
                             "session-authority.security.caller-auth", "required",
                             "session-authority.security.callers.edge.api-key-sha256", List.of(io.sessionauthority.service.security.CallerRegistry.digestOf(key)),
                             "session-authority.security.callers.edge.permissions", List.of("login", "admin")))
                     .singletons(new TracingFactory.TracingSdk(sdk, sdk))
                     .start()) {
            GrpcEmbeddedServer server = context.getBean(GrpcEmbeddedServer.class);
            server.start();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
            try {
                var anonymous = SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                io.sessionauthority.service.testing.GrpcErrors.expectStatus(io.grpc.Status.Code.UNAUTHENTICATED,
                        () -> anonymous.validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build()));
                // The span and the timer end as the server closes the call, which may come just after the client heard the status.
                io.sessionauthority.service.testing.Await.until("the refused call's span", java.time.Duration.ofSeconds(10),
                        () -> exporter.getFinishedSpanItems().stream().anyMatch(span -> span.getName().endsWith("/Validate")));
                assertThat(exporter.getFinishedSpanItems()).anySatisfy(span -> {
                    assertThat(span.getName()).endsWith("/Validate");
                    assertThat(span.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))).isEqualTo(16L);
                });
                var meters = context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
                io.sessionauthority.service.testing.Await.until("the refused call's timer", java.time.Duration.ofSeconds(10),
                        () -> meters.find("grpc.server.processing.duration").tag("method", "Validate")
                                .tag("statusCode", "UNAUTHENTICATED").timer() != null);
                assertThat(meters.find("grpc.server.processing.duration").tag("method", "Validate")
                        .tag("statusCode", "UNAUTHENTICATED").timer()).isNotNull()
                        .satisfies(timer -> assertThat(timer.count()).isEqualTo(1));

                // A login stuck behind ten others on the one hashing thread outlives its caller's 300 ms deadline.
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), key);
                var edge = SessionAuthorityServiceGrpc.newFutureStub(
                        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)));
                edge.withDeadlineAfter(10, TimeUnit.SECONDS).createUser(CreateUserRequest.newBuilder().setUsername("alice")
                        .setPassword("correct horse battery").build()).get(10, TimeUnit.SECONDS);
                List<com.google.common.util.concurrent.ListenableFuture<LoginResponse>> queue = new java.util.ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    queue.add(edge.withDeadlineAfter(30, TimeUnit.SECONDS).login(LoginRequest.newBuilder().setUsername("alice")
                            .setPassword("correct horse battery").build()));
                }
                var late = edge.withDeadlineAfter(300, TimeUnit.MILLISECONDS).login(LoginRequest.newBuilder().setUsername("alice")
                        .setPassword("correct horse battery").build());
                assertThat(org.assertj.core.api.Assertions.catchThrowable(late::get)).isInstanceOf(java.util.concurrent.ExecutionException.class)
                        .extracting(e -> io.grpc.Status.fromThrowable(e).getCode()).isEqualTo(io.grpc.Status.Code.DEADLINE_EXCEEDED);
                io.sessionauthority.service.testing.Await.until("the cancelled login's span ended", java.time.Duration.ofSeconds(10),
                        () -> exporter.getFinishedSpanItems().stream().anyMatch(span -> span.getName().endsWith("/Login")
                                && Long.valueOf(1L).equals(span.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))));
                for (var login : queue) {
                    login.get(30, TimeUnit.SECONDS);
                }
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
