package io.sessionauthority.spring;

import io.grpc.ConnectivityState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sessionauthority.client.SessionAuthorityClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Gauges of the client's health, for an alert before requests fail:
 *
 * <ul>
 *   <li>{@value #CONNECTION_READY} — 1 while the channel to the authority is connected, else 0;</li>
 *   <li>{@value #REVOCATION_STREAM_HEALTHY} — 1 while the validation cache hears every revocation,
 *       else 0 (always 0 without the cache: see {@code cache.max-entries}).</li>
 * </ul>
 *
 * Registered once every singleton exists, since the client is made after the metrics it reports to.
 */
public class SessionAuthorityClientGauges implements SmartInitializingSingleton {

    /** The connection gauge. */
    public static final String CONNECTION_READY = "session_authority.client.connection.ready";

    /** The revocation stream gauge. */
    public static final String REVOCATION_STREAM_HEALTHY = "session_authority.client.revocation_stream.healthy";

    private final MeterRegistry registry;
    private final ObjectProvider<SessionAuthorityClient> client;

    /**
     * Gauges of {@code client}, if the application has one, in {@code registry}.
     *
     * @param registry where the gauges go
     * @param client   the client
     */
    public SessionAuthorityClientGauges(MeterRegistry registry, ObjectProvider<SessionAuthorityClient> client) {
        this.registry = registry;
        this.client = client;
    }

    @Override
    public void afterSingletonsInstantiated() {
        client.ifUnique(found -> {
            Gauge.builder(CONNECTION_READY, found, c -> c.connectionState() == ConnectivityState.READY ? 1 : 0)
                    .description("1 while the channel to Session Authority is connected").strongReference(true).register(registry);
            Gauge.builder(REVOCATION_STREAM_HEALTHY, found, c -> c.revocationStreamHealthy() ? 1 : 0)
                    .description("1 while the validation cache hears every revocation").strongReference(true).register(registry);
        });
    }
}
