package io.sessionauthority.service.wiring;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import jakarta.inject.Singleton;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry tracing, off by default: on only when the standard variables name an exporter
 * ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} or
 * {@code OTEL_TRACES_EXPORTER}), and never with {@code OTEL_SDK_DISABLED=true}. Every other
 * {@code OTEL_*} variable (sampler, resource attributes, headers) applies as usual. Only traces are
 * exported this way; metrics go to Prometheus.
 */
@Factory
public class TracingFactory {

    private static final Logger LOG = LoggerFactory.getLogger(TracingFactory.class);

    @Singleton
    @Requires(missingBeans = TracingSdk.class)
    @Bean(preDestroy = "close")
    TracingSdk openTelemetry() {
        if (!requested(System.getenv())) {
            return new TracingSdk(OpenTelemetry.noop(), null);
        }
        OpenTelemetrySdk sdk = sdk(Map.of());
        LOG.info("Tracing on: spans are exported over OTLP as the OTEL_* variables say");
        return new TracingSdk(sdk, sdk);
    }

    /** Whether {@code env} turns tracing on: an exporter named, and the SDK not disabled. */
    public static boolean requested(Map<String, String> env) {
        boolean asked = env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                || (env.containsKey("OTEL_TRACES_EXPORTER") && !"none".equals(env.get("OTEL_TRACES_EXPORTER")));
        return asked && !"true".equalsIgnoreCase(env.get("OTEL_SDK_DISABLED"));
    }

    /**
     * The SDK as the {@code OTEL_*} variables configure it, on top of this service's defaults (and of
     * {@code defaults}, which tests use in place of variables). OTLP goes over HTTP by default: the
     * only sender here is the JDK's HTTP client, and the SDK's own default, gRPC, would need OkHttp
     * or a second gRPC channel stack — with it, setting just the endpoint failed the start.
     */
    static OpenTelemetrySdk sdk(Map<String, String> defaults) {
        Map<String, String> properties = new java.util.HashMap<>(Map.of(
                "otel.service.name", "session-authority",
                "otel.exporter.otlp.protocol", "http/protobuf",
                "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none"));
        properties.putAll(defaults);
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> properties)
                .build()
                .getOpenTelemetrySdk();
    }

    @Singleton
    io.grpc.ServerInterceptor tracingInterceptor(Tracer tracer) {
        return new io.sessionauthority.service.grpc.TracingInterceptor(tracer);
    }

    @Singleton
    Tracer tracer(TracingSdk tracing) {
        return tracing.openTelemetry().getTracer("session-authority");
    }

    /** The OpenTelemetry in use, and the SDK to close at shutdown (null when tracing is off). */
    public record TracingSdk(OpenTelemetry openTelemetry, OpenTelemetrySdk sdk) implements AutoCloseable {
        @Override
        public void close() {
            if (sdk != null) {
                sdk.close();
            }
        }
    }
}
