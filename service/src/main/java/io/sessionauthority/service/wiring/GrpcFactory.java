package io.sessionauthority.service.wiring;

import io.micronaut.context.annotation.Factory;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.sessionauthority.service.config.GrpcProperties;
import io.sessionauthority.service.config.QuotaProperties;
import io.sessionauthority.service.grpc.InterceptorOrder;
import io.sessionauthority.service.admission.RateQuotas;
import io.sessionauthority.service.admission.StreamQuotas;
import io.sessionauthority.service.grpc.ConnectionActivityTracker;
import io.sessionauthority.service.grpc.LogWriteQuota;
import io.sessionauthority.service.grpc.OpenStreamLimit;
import io.sessionauthority.service.grpc.Replies;
import io.sessionauthority.service.security.CallerProperties;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** gRPC server wiring for every call: metrics, and each caller's shares. */
@Factory
public class GrpcFactory {

    /**
     * Per-RPC metrics ({@code grpc.server.*}), outermost of all interceptors, so that calls refused
     * by caller authentication or a limit are counted too. Micronaut's own binder would install the
     * same interceptor innermost (it has no order), so it is off in application.properties.
     */
    @Singleton
    ServerInterceptor rpcMetrics(MeterRegistry registry) {
        return InterceptorOrder.ordered(new MetricCollectingServerInterceptor(registry), InterceptorOrder.METRICS);
    }

    @Singleton
    OpenStreamLimit openStreamLimit(GrpcProperties limits, QuotaProperties quotas, List<CallerProperties> callers) {
        Map<String, Integer> overrides = new HashMap<>();
        for (CallerProperties caller : callers) {
            if (caller.getMaxOpenStreams() != null) {
                overrides.put(caller.getName(), caller.getMaxOpenStreams());
            }
        }
        return new OpenStreamLimit(new StreamQuotas(limits.maxOpenStreams(),
                caller -> overrides.getOrDefault(caller, quotas.streamsPerCaller()), quotas.streamsPerAddress()));
    }

    /** Counts each connection's calls, and reports one whose calls are cancelled before they are sent (HTTP/2 rapid reset). */
    @Singleton
    ConnectionActivityTracker connectionActivity(GrpcProperties limits, GrpcServerLimits connections) {
        return new ConnectionActivityTracker(new RateQuotas(limits.earlyCancelsPerSecondPerConnection(),
                limits.earlyCancelBurstPerConnection(), 100_000), connections::abusive);
    }

    /** One thread gives every paused retry-later answer: it only hands each to gRPC when its time comes. */
    @Singleton
    Replies replies(GrpcProperties limits) {
        java.util.concurrent.ScheduledThreadPoolExecutor pauses = new java.util.concurrent.ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "retry-later-pauses");
            thread.setDaemon(true);
            return thread;
        });
        pauses.setRemoveOnCancelPolicy(true);
        return new Replies(limits.retryLaterPause(), pauses);
    }

    /** Tracks at most 100,000 callers' buckets (addresses, for unauthenticated ones) before dropping full ones. */
    @Singleton
    LogWriteQuota logWriteQuota(QuotaProperties quotas) {
        return new LogWriteQuota(new RateQuotas(quotas.logWritesPerSecond(), quotas.logWriteBurst(), 100_000));
    }
}
