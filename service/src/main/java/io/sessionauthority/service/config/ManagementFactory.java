package io.sessionauthority.service.config;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.sessionauthority.service.health.ServingStatus;
import io.sessionauthority.service.management.ManagementRoutes;
import io.sessionauthority.service.management.ManagementServer;

/** The management port: health that tells what gRPC health tells, and the Prometheus scrape. */
@Factory
public class ManagementFactory {

    @Context
    @Bean(preDestroy = "close")
    ManagementServer managementServer(ManagementProperties properties, @Value("${grpc.server.host}") String grpcHost,
                                      ServingStatus status, PrometheusMeterRegistry metrics) {
        String host = properties.host() == null || properties.host().isBlank() ? grpcHost : properties.host();
        return ManagementServer.start(host, properties.port(), new ManagementRoutes(status::isServing, metrics::scrape),
                new ManagementServer.Limits(properties.maxConnections(), properties.headerTimeout(), properties.idleTimeout()));
    }
}
