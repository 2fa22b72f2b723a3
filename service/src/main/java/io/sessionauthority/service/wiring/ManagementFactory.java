package io.sessionauthority.service.wiring;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.sessionauthority.service.admission.RateQuotas;
import io.sessionauthority.service.config.ManagementProperties;
import io.sessionauthority.service.health.ServingStatus;
import io.sessionauthority.service.management.ManagementRoutes;
import io.sessionauthority.service.management.ManagementServer;
import io.sessionauthority.service.management.ScrapeCache;
import jakarta.inject.Singleton;

/** The management port: health that tells what gRPC health tells, and the Prometheus scrape. */
@Factory
public class ManagementFactory {

    @Singleton
    @Bean(preDestroy = "close")
    ScrapeCache scrapeCache(ManagementProperties properties, PrometheusMeterRegistry metrics) {
        return new ScrapeCache(metrics::scrape, properties.scrapeMaxAge());
    }

    @Singleton
    @Bean(preDestroy = "close")
    ManagementServer managementServer(ManagementProperties properties, @Value("${grpc.server.host}") String grpcHost,
                                      ServingStatus status, ScrapeCache scrapes) {
        String host = properties.host() == null || properties.host().isBlank() ? grpcHost : properties.host();
        RateQuotas scrapesPerClient = new RateQuotas(properties.scrapesPerSecondPerAddress(), properties.scrapeBurstPerAddress(), 10_000);
        return ManagementServer.start(host, properties.port(), new ManagementRoutes(status::isServing, status::redisAnswers, scrapes::get, scrapesPerClient),
                new ManagementServer.Limits(properties.maxConnections(), properties.maxConnectionsPerAddress(),
                        properties.newConnectionsPerSecondPerAddress(), properties.newConnectionBurstPerAddress(),
                        properties.requestsPerSecondPerAddress(), properties.requestBurstPerAddress(),
                        properties.headerTimeout(), properties.idleTimeout()));
    }

    /**
     * Opens the management port once the gRPC port listens: readiness answered 200 while gRPC was
     * still binding, and a probe's first "ready" met a refused connection.
     */
    @Singleton
    static final class OpenWhenGrpcListens implements ApplicationEventListener<ServerStartupEvent> {

        private final BeanProvider<ManagementServer> management;

        OpenWhenGrpcListens(BeanProvider<ManagementServer> management) {
            this.management = management;
        }

        @Override
        public void onApplicationEvent(ServerStartupEvent event) {
            if (event.getSource() instanceof GrpcEmbeddedServer) {
                management.get();
            }
        }
    }
}
