package io.sessionauthority.service.config;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.sessionauthority.service.grpc.OpenStreamLimit;
import jakarta.inject.Singleton;

/** gRPC server wiring that is not about callers: limits for everyone. */
@Factory
public class GrpcFactory {

    @Singleton
    OpenStreamLimit openStreamLimit(@Property(name = "session-authority.grpc.max-open-streams", defaultValue = "1000") int maxOpenStreams) {
        return new OpenStreamLimit(maxOpenStreams);
    }
}
