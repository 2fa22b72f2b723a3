package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The management HTTP port ({@code session-authority.management.*}): {@code /prometheus},
 * {@code /health}, {@code /health/liveness}, {@code /health/readiness}; never the gRPC port.
 *
 * @param port           the port ({@code MANAGEMENT_PORT}); 0 for a free one
 * @param host           the address ({@code MANAGEMENT_HOST}); unset, where gRPC listens: loopback in
 *                       development, the pod's address in production. It once listened on every
 *                       interface while gRPC stayed on loopback, exposing what gRPC did not.
 * @param maxConnections connections at once; beyond, new ones are closed at once
 * @param headerTimeout  time a connection has to send a complete request's headers, after connecting
 *                       or after its previous response
 * @param idleTimeout    a probe or a scrape takes milliseconds: a connection idle this long is closed
 */
@ConfigurationProperties("session-authority.management")
public record ManagementProperties(
        @Bindable(defaultValue = "9090") int port,
        @Nullable String host,
        @Bindable(defaultValue = "64") int maxConnections,
        @Bindable(defaultValue = "5s") Duration headerTimeout,
        @Bindable(defaultValue = "30s") Duration idleTimeout) {
}
