package io.sessionauthority.service.wiring;

import io.grpc.protobuf.services.HealthStatusManager;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.event.connection.ConnectionEvent;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.sessionauthority.service.config.HealthProperties;
import io.sessionauthority.service.config.ShutdownProperties;
import io.sessionauthority.service.config.TlsProperties;
import io.sessionauthority.service.grpc.RevocationStreams;
import io.sessionauthority.service.grpc.SelfWarmUp;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import org.slf4j.LoggerFactory;
import io.sessionauthority.service.health.GracefulShutdown;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.sessionauthority.service.health.ServingStatus;
import io.sessionauthority.service.store.DeferredConnection;
import io.sessionauthority.service.store.RedisProbe;

/** Health reporting: readiness and Redis's own status (ServingStatus), and shutdown. */
@Factory
public class HealthFactory {

    @Context
    @Bean(preDestroy = "close")
    ServingStatus servingStatus(HealthStatusManager health, DeferredConnection connection, HealthProperties properties) {
        ServingStatus status = new ServingStatus(health, new RedisProbe(connection), properties.interval(), properties.timeout(),
                properties.warmUpCalls() > 0);
        // A lost, regained or first made connection, or a changed Cluster topology, is checked at once.
        connection.resources().eventBus().get()
                .filter(event -> event instanceof ConnectionEvent || event instanceof ClusterTopologyChangedEvent)
                .subscribe(event -> status.checkSoon());
        return status;
    }

    /** SIGTERM drains and exits 0; not in tests, where many services share one JVM. */
    @Context
    @Requires(notEnv = Environment.TEST)
    GracefulShutdownInstalled gracefulShutdown(ApplicationContext context, BeanProvider<GrpcEmbeddedServer> grpc,
                                               ServingStatus status, RevocationStreams streams, ShutdownProperties properties) {
        // The gRPC server first (calls in flight finish within the grace period), then the rest: the
        // management port, in the context, must keep answering liveness until the calls are done.
        GracefulShutdown.onSigterm(() -> {
            status.beginShutdown();
            streams.drain();
        }, () -> {
            grpc.get().stop();
            context.stop();
        }, properties.drainDelay());
        return new GracefulShutdownInstalled();
    }

    /**
     * Once the gRPC port listens and Redis has answered, the replica warms up by calling itself
     * (grpc.SelfWarmUp), then readiness may say SERVING.
     */
    @Singleton
    static final class WarmUpWhenGrpcListens implements ApplicationEventListener<ServerStartupEvent> {

        private final ServingStatus status;
        private final HealthProperties properties;
        private final TlsProperties tls;

        WarmUpWhenGrpcListens(ServingStatus status, HealthProperties properties, TlsProperties tls) {
            this.status = status;
            this.properties = properties;
            this.tls = tls;
        }

        @Override
        public void onApplicationEvent(ServerStartupEvent event) {
            if (!(event.getSource() instanceof GrpcEmbeddedServer server) || properties.warmUpCalls() == 0) {
                return;
            }
            Thread warmUp = new Thread(() -> {
                try {
                    while (!status.reachedRedis()) {
                        if (status.ended()) {
                            return;
                        }
                        Thread.sleep(50); // a warm-up against an absent Redis would warm only the failure path
                    }
                    SelfWarmUp.run(server.getHost(), server.getPort(), tls.enabled(), properties.warmUpCalls());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LoggerFactory.getLogger(SelfWarmUp.class).warn("Warm-up failed ({}): reporting SERVING without it", e.toString());
                } finally {
                    status.warmedUp();
                }
            }, "warm-up");
            warmUp.setDaemon(true);
            warmUp.start();
        }
    }

    /** Marks that SIGTERM is handled. */
    public record GracefulShutdownInstalled() {
    }
}
