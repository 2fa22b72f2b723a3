package io.sessionauthority.service.config;

import io.micronaut.context.annotation.Factory;
import io.sessionauthority.service.grpc.OpenStreamLimit;
import jakarta.inject.Singleton;

/** gRPC server wiring that is not about callers: limits for everyone. */
@Factory
public class GrpcFactory {

    @Singleton
    OpenStreamLimit openStreamLimit(GrpcProperties limits) {
        return new OpenStreamLimit(limits.maxOpenStreams());
    }
}
