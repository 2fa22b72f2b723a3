package io.sessionauthority.service.config;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import jakarta.inject.Singleton;

/**
 * The management port listens where the gRPC port listens unless {@code MANAGEMENT_HOST} says
 * otherwise: loopback in development, the pod's address in production. It used to listen on every
 * interface while gRPC stayed on loopback, exposing metrics and probes that gRPC did not expose.
 * (A placeholder cannot say "default to another property" in Micronaut, hence this listener.)
 */
@Singleton
public class ManagementHost implements BeanCreatedEventListener<NettyHttpServerConfiguration> {

    private final String grpcHost;

    public ManagementHost(@Value("${grpc.server.host}") String grpcHost) {
        this.grpcHost = grpcHost;
    }

    @Override
    public NettyHttpServerConfiguration onCreated(BeanCreatedEvent<NettyHttpServerConfiguration> event) {
        NettyHttpServerConfiguration configuration = event.getBean();
        if (configuration.getHost().filter(host -> !host.isBlank()).isEmpty()) {
            configuration.setHost(grpcHost);
        }
        return configuration;
    }
}
