package io.sessionauthority.service.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sessionauthority.service.session.AnnouncingLog;

/**
 * Revocation events whose first append failed: being retried, redelivered, given up on. A given-up
 * event means caches elsewhere keep those sessions up to their max age: worth an alert.
 */
public final class RedeliveryMetrics {

    public RedeliveryMetrics(AnnouncingLog log, MeterRegistry registry) {
        Gauge.builder("session_authority.revocations.redelivery.pending", log, AnnouncingLog::pendingRedeliveries)
                .description("Revocation events whose append failed, being retried in the background")
                .register(registry);
        FunctionCounter.builder("session_authority.revocations.redelivered", log, AnnouncingLog::redelivered)
                .description("Revocation events appended by a background retry after a failed append")
                .register(registry);
        FunctionCounter.builder("session_authority.revocations.redelivery.dropped", log, AnnouncingLog::droppedRedeliveries)
                .description("Revocation events given up on: caches elsewhere keep those sessions up to their max age")
                .register(registry);
    }
}
