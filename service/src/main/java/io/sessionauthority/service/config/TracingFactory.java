package io.sessionauthority.service.config;

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
        Map<String, String> env = System.getenv();
        boolean asked = env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                || (env.containsKey("OTEL_TRACES_EXPORTER") && !"none".equals(env.get("OTEL_TRACES_EXPORTER")));
        if (!asked || "true".equalsIgnoreCase(env.get("OTEL_SDK_DISABLED"))) {
            return new TracingSdk(OpenTelemetry.noop(), null);
        }
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of(
                        "otel.service.name", "session-authority",
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
                .build()
                .getOpenTelemetrySdk();
        LOG.info("Tracing on: spans are exported over OTLP as the OTEL_* variables say");
        return new TracingSdk(sdk, sdk);
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
