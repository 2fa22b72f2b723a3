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
 * @param maxConnections connections at once; beyond, the connection that has waited longest without
 *                       sending a request is closed to make room (or, when none waits, the new one)
 * @param maxConnectionsPerAddress connections at once from one remote address (a kubelet, a
 *                       Prometheus, a sidecar's probe each need one or two), likewise
 * @param newConnectionsPerSecondPerAddress new connections one address may open a second (a kubelet opens one
 *                       per probe); beyond, refused as they are accepted
 * @param newConnectionBurstPerAddress new connections one address may open at once
 * @param requestsPerSecondPerAddress requests of any kind one address may send a second (a kubelet sends one a
 *                       probe); beyond, its connection is closed
 * @param requestBurstPerAddress requests one address may send at once
 * @param scrapesPerSecondPerAddress scrapes one address may make a second, on average (Prometheus scrapes
 *                       every 15 s or so); beyond, 429 with Retry-After
 * @param scrapeBurstPerAddress scrapes one address may make at once
 * @param headerTimeout  time a connection has to send a complete request's headers, after connecting
 *                       or after its previous response
 * @param idleTimeout    a connection with no traffic either way this long is closed (a backstop: the
 *                       header deadline ends an idle keep-alive connection sooner)
 * @param scrapeMaxAge   scrapes within this long of the last one get that one: at most one scrape
 *                       is made per interval, however many scrapers there are
 */
@ConfigurationProperties("session-authority.management")
public record ManagementProperties(
        @Bindable(defaultValue = "9090") int port,
        @Nullable String host,
        @Bindable(defaultValue = "64") int maxConnections,
        @Bindable(defaultValue = "8") int maxConnectionsPerAddress,
        @Bindable(defaultValue = "20") int newConnectionsPerSecondPerAddress,
        @Bindable(defaultValue = "40") int newConnectionBurstPerAddress,
        @Bindable(defaultValue = "20") int requestsPerSecondPerAddress,
        @Bindable(defaultValue = "40") int requestBurstPerAddress,
        @Bindable(defaultValue = "1") int scrapesPerSecondPerAddress,
        @Bindable(defaultValue = "5") int scrapeBurstPerAddress,
        @Bindable(defaultValue = "5s") Duration headerTimeout,
        @Bindable(defaultValue = "30s") Duration idleTimeout,
        @Bindable(defaultValue = "1s") Duration scrapeMaxAge) {

    public ManagementProperties {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("session-authority.management.port (MANAGEMENT_PORT) must be 0 to 65535, was " + port);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("session-authority.management.max-connections must be at least 1, was " + maxConnections);
        }
        if (maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("session-authority.management.max-connections-per-address must be at least 1, was "
                    + maxConnectionsPerAddress);
        }
        if (newConnectionsPerSecondPerAddress < 1 || newConnectionBurstPerAddress < 1 || requestsPerSecondPerAddress < 1
                || requestBurstPerAddress < 1 || scrapesPerSecondPerAddress < 1 || scrapeBurstPerAddress < 1) {
            throw new IllegalArgumentException("session-authority.management.new-connection*, request* and scrape*-per-address"
                    + " settings must be at least 1");
        }
        if (scrapeMaxAge.isNegative()) {
            throw new IllegalArgumentException("session-authority.management.scrape-max-age must not be negative");
        }
        if (headerTimeout.isNegative() || headerTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("session-authority.management.header-timeout and idle-timeout must be positive");
        }
    }
}
