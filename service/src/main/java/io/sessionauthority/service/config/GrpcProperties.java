package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.sessionauthority.service.wiring.GrpcServerLimits;
import java.time.Duration;
import java.util.List;

/**
 * Limits of the gRPC port for every caller ({@code session-authority.grpc.*}); see {@link GrpcServerLimits}.
 *
 * @param maxInboundMessageBytes          larger requests get RESOURCE_EXHAUSTED before they are parsed
 * @param maxConnectionAge                clients reconnect after this, spreading load over new replicas
 * @param maxConnections                  connections at once; beyond, one that has not finished its handshake
 *                                        is closed to make room, or else the new one
 * @param maxConnectionsPerAddress        connections at once from one remote address, likewise (a NAT or an
 *                                        egress proxy in front of many callers may need more)
 * @param maxConcurrentCallsPerConnection calls (HTTP/2 streams) at once on one connection
 * @param handshakeTimeout                time a new connection has to finish its TLS handshake and send the
 *                                        HTTP/2 preface
 * @param maxRstFramesPerWindow           streams a client may reset within {@code rstFramesWindow} before its
 *                                        connection is closed (HTTP/2 rapid reset)
 * @param rstFramesWindow                 the window of {@code maxRstFramesPerWindow}, in whole seconds
 * @param maxOpenStreams                  streaming calls (health Watch, WatchRevocations) open at once, per method
 * @param newConnectionsPerSecondPerAddress new connections one address may open a second; beyond, refused at accept
 * @param newConnectionBurstPerAddress    new connections one address may open at once
 * @param earlyCancelsPerSecondPerConnection calls one connection may cancel before sending their request, a
 *                                        second (HTTP/2 rapid reset's signature); beyond, it is closed at once
 * @param earlyCancelBurstPerConnection   such cancels one connection may make at once
 * @param abusiveConnectionsBeforePenalty connections of one address closed so within a minute before the
 *                                        address gets no new connection for {@code abusePenalty}
 * @param abusePenalty                    how long a penalized address gets no new connection
 * @param penaltyExemptAddresses          addresses or CIDR ranges never penalized (their abusive connections
 *                                        are still closed): an Envoy, a mesh sidecar's address, a NAT in
 *                                        front of many callers
 * @param idleConnectionEvictableAfter    a connection that carries no call this long is closed first when the
 *                                        port is full, like one still in its handshake
 * @param retryLaterPause                 an answer asking the caller to retry later (a full hashing pool, a
 *                                        locked login) is given after this pause (at most its Retry-After,
 *                                        never past the deadline), so a client that retries at once cannot
 *                                        turn its refusals into a flood; 0 answers at once
 */
@ConfigurationProperties("session-authority.grpc")
public record GrpcProperties(
        @Bindable(defaultValue = "65536") int maxInboundMessageBytes,
        @Bindable(defaultValue = "30m") Duration maxConnectionAge,
        @Bindable(defaultValue = "4096") int maxConnections,
        @Bindable(defaultValue = "256") int maxConnectionsPerAddress,
        @Bindable(defaultValue = "256") int maxConcurrentCallsPerConnection,
        @Bindable(defaultValue = "5s") Duration handshakeTimeout,
        @Bindable(defaultValue = "1000") int maxRstFramesPerWindow,
        @Bindable(defaultValue = "10s") Duration rstFramesWindow,
        @Bindable(defaultValue = "1000") int maxOpenStreams,
        @Bindable(defaultValue = "100") int newConnectionsPerSecondPerAddress,
        @Bindable(defaultValue = "200") int newConnectionBurstPerAddress,
        @Bindable(defaultValue = "50") int earlyCancelsPerSecondPerConnection,
        @Bindable(defaultValue = "200") int earlyCancelBurstPerConnection,
        @Bindable(defaultValue = "3") int abusiveConnectionsBeforePenalty,
        @Bindable(defaultValue = "30s") Duration abusePenalty,
        @Bindable(defaultValue = "") List<String> penaltyExemptAddresses,
        @Bindable(defaultValue = "30s") Duration idleConnectionEvictableAfter,
        @Bindable(defaultValue = "500ms") Duration retryLaterPause) {

    public GrpcProperties {
        penaltyExemptAddresses = penaltyExemptAddresses == null ? List.of()
                : penaltyExemptAddresses.stream().filter(address -> !address.isBlank()).toList();
        if (abusiveConnectionsBeforePenalty < 1 || idleConnectionEvictableAfter.isNegative() || idleConnectionEvictableAfter.isZero()) {
            throw new IllegalArgumentException("session-authority.grpc.abusive-connections-before-penalty must be at least 1 and"
                    + " idle-connection-evictable-after positive");
        }
        if (retryLaterPause.isNegative()) {
            throw new IllegalArgumentException("session-authority.grpc.retry-later-pause must not be negative");
        }
        if (maxRstFramesPerWindow < 1 || rstFramesWindow.toSeconds() < 1) {
            throw new IllegalArgumentException("session-authority.grpc.max-rst-frames-per-window must be at least 1 and"
                    + " rst-frames-window at least 1s");
        }
    }
}
