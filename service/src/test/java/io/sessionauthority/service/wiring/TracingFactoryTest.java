package io.sessionauthority.service.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.sessionauthority.service.wiring.TracingFactory;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Tracing starts from nothing but the collector's address, as docs/OPERATING.md tells operators. */
@Tag("unit")
class TracingFactoryTest {

    @Test
    void tracingIsOnOnlyWhenAnExporterIsNamedAndTheSdkIsNotDisabled() {
        assertThat(TracingFactory.requested(Map.of())).isFalse();
        assertThat(TracingFactory.requested(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"))).isTrue();
        assertThat(TracingFactory.requested(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318"))).isTrue();
        assertThat(TracingFactory.requested(Map.of("OTEL_TRACES_EXPORTER", "otlp"))).isTrue();
        assertThat(TracingFactory.requested(Map.of("OTEL_TRACES_EXPORTER", "none"))).isFalse();
        assertThat(TracingFactory.requested(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_SDK_DISABLED", "TRUE")))
                .isFalse();
    }

    @Test
    void anEndpointAloneStartsTracingOverHttp() {
        try (OpenTelemetrySdk sdk = TracingFactory.sdk(Map.of("otel.exporter.otlp.endpoint", "http://127.0.0.1:4318"))) {
            assertThat(sdk.getSdkTracerProvider().toString()).contains("OtlpHttpSpanExporter");
        }
    }
}
