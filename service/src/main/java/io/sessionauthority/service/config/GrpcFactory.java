package io.sessionauthority.service.config;

import io.micronaut.context.annotation.Factory;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.sessionauthority.service.grpc.InterceptorOrder;
import io.sessionauthority.service.grpc.OpenStreamLimit;
import jakarta.inject.Singleton;

/** gRPC server wiring that is not about callers: limits for everyone. */
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
    OpenStreamLimit openStreamLimit(GrpcProperties limits) {
        return new OpenStreamLimit(limits.maxOpenStreams());
    }
}
