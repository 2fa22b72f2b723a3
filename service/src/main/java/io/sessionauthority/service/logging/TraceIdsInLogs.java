package io.sessionauthority.service.logging;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Puts the current span's {@code trace_id} and {@code span_id} in the MDC while its context is
 * current, so a line logged inside a traced call carries them: a JSON line as fields of its
 * {@code mdc} object, ready to join with the trace. Done where OpenTelemetry makes a context current
 * (its storage), so every place that does — the tracing interceptor, a callback wrapped with
 * {@link Context#wrapConsumer} — is covered and none has to remember the MDC. Installed only when
 * tracing is on (Application); a context without a valid span leaves the MDC alone.
 */
public final class TraceIdsInLogs {

    static final String TRACE_ID = "trace_id";
    static final String SPAN_ID = "span_id";

    private static boolean installed;

    private TraceIdsInLogs() {
    }

    /** Installs the wrapper once per process; first thing in main, before anything uses a context. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        try {
            ContextStorage.addWrapper(TraceIdsInLogs::wrap);
        } catch (IllegalStateException tooLate) {
            LoggerFactory.getLogger(TraceIdsInLogs.class).warn("log lines will carry no trace ids: {}", tooLate.getMessage());
        }
    }

    static ContextStorage wrap(ContextStorage storage) {
        return new ContextStorage() {
            @Override
            public Scope attach(Context context) {
                Scope attached = storage.attach(context);
                SpanContext span = Span.fromContext(context).getSpanContext();
                String traceBefore = MDC.get(TRACE_ID);
                if (!span.isValid() && traceBefore == null) {
                    return attached;
                }
                String spanBefore = MDC.get(SPAN_ID);
                put(span.isValid() ? span.getTraceId() : null, span.isValid() ? span.getSpanId() : null);
                return () -> {
                    put(traceBefore, spanBefore);
                    attached.close();
                };
            }

            @Override
            public Context current() {
                return storage.current();
            }
        };
    }

    private static void put(String traceId, String spanId) {
        if (traceId == null) {
            MDC.remove(TRACE_ID);
            MDC.remove(SPAN_ID);
        } else {
            MDC.put(TRACE_ID, traceId);
            MDC.put(SPAN_ID, spanId);
        }
    }
}
