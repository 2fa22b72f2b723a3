package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Limits of the gRPC port for every caller ({@code session-authority.grpc.*}); see {@link GrpcServerLimits}.
 *
 * @param maxInboundMessageBytes          larger requests get RESOURCE_EXHAUSTED before they are parsed
 * @param maxConnectionAge                clients reconnect after this, spreading load over new replicas
 * @param maxConnections                  connections at once; beyond, new ones are closed as they are accepted
 * @param maxConcurrentCallsPerConnection calls (HTTP/2 streams) at once on one connection
 * @param handshakeTimeout                time a new connection has to finish its TLS and HTTP/2 handshake
 * @param maxOpenStreams                  streaming calls (health Watch, WatchRevocations) open at once, per method
 */
@ConfigurationProperties("session-authority.grpc")
public record GrpcProperties(
        @Bindable(defaultValue = "65536") int maxInboundMessageBytes,
        @Bindable(defaultValue = "30m") Duration maxConnectionAge,
        @Bindable(defaultValue = "4096") int maxConnections,
        @Bindable(defaultValue = "256") int maxConcurrentCallsPerConnection,
        @Bindable(defaultValue = "10s") Duration handshakeTimeout,
        @Bindable(defaultValue = "1000") int maxOpenStreams) {
}
