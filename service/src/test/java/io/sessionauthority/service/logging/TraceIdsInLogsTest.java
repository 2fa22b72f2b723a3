package io.sessionauthority.service.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Lines logged while a span is current carry its ids, as JSON fields; nothing leaks past the scope. */
@Tag("unit")
class TraceIdsInLogsTest {

    // The wrapper applied to a storage of its own: the process-wide one is set once, by main.
    private final ContextStorage storage = TraceIdsInLogs.wrap(ContextStorage.defaultStorage());
    private final Tracer tracer = SdkTracerProvider.builder().build().get("test");

    @Test
    void aCurrentSpansIdsAreInTheMdcAndLeaveWithItsScope() {
        Span outer = tracer.spanBuilder("outer").startSpan();
        Span inner = tracer.spanBuilder("inner").setParent(Context.root().with(outer)).startSpan();
        try (Scope ignored = storage.attach(Context.root().with(outer))) {
            assertThat(MDC.get("trace_id")).isEqualTo(outer.getSpanContext().getTraceId());
            try (Scope nested = storage.attach(Context.root().with(inner))) {
                assertThat(MDC.get("span_id")).isEqualTo(inner.getSpanContext().getSpanId());
            }
            assertThat(MDC.get("span_id")).as("the outer span again").isEqualTo(outer.getSpanContext().getSpanId());
            try (Scope untraced = storage.attach(Context.root())) {
                assertThat(MDC.get("trace_id")).as("a context without a span").isNull();
            }
        }
        assertThat(MDC.get("trace_id")).isNull();
        assertThat(MDC.get("span_id")).isNull();
    }

    @Test
    void withoutTracingTheMdcIsLeftAlone() {
        MDC.put("request", "kept");
        try (Scope ignored = storage.attach(Context.root().with(Span.getInvalid()))) {
            assertThat(MDC.get("trace_id")).isNull();
        }
        assertThat(MDC.get("request")).isEqualTo("kept");
        MDC.clear();
    }

    @Test
    void aJsonLineCarriesTheIdsAsFields() {
        Span span = tracer.spanBuilder("call").startSpan();
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        LoggingEvent event;
        try (Scope ignored = storage.attach(Context.root().with(span))) {
            event = new LoggingEvent("test", context.getLogger("session-authority.audit"), Level.INFO, "event=login", null, null);
            event.prepareForDeferredProcessing(); // what the async appender does on the logging thread
        }
        String line = new String(LogSetup.jsonEncoder(context).encode(event), StandardCharsets.UTF_8);
        assertThat(line).contains("\"trace_id\":\"" + span.getSpanContext().getTraceId() + "\"",
                "\"span_id\":\"" + span.getSpanContext().getSpanId() + "\"");
    }
}
