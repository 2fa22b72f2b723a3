package io.sessionauthority.service.config;

import io.grpc.ServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Connection limits of the gRPC server. An auth request is a few hundred bytes: a small inbound
 * limit turns an oversized message into RESOURCE_EXHAUSTED before it is parsed. Keepalive limits
 * stop clients from pinging too often; a maximum connection age makes clients reconnect now and
 * then, so load spreads over new replicas behind a load balancer.
 */
@Singleton
public class GrpcServerLimits implements BeanCreatedEventListener<ServerBuilder<?>> {

    private final int maxInboundMessageBytes;
    private final Duration maxConnectionAge;

    public GrpcServerLimits(
            @Property(name = "session-authority.grpc.max-inbound-message-bytes", defaultValue = "65536") int maxInboundMessageBytes,
            @Property(name = "session-authority.grpc.max-connection-age", defaultValue = "30m") Duration maxConnectionAge) {
        this.maxInboundMessageBytes = maxInboundMessageBytes;
        this.maxConnectionAge = maxConnectionAge;
    }

    @Override
    public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
        ServerBuilder<?> builder = event.getBean();
        builder.maxInboundMessageSize(maxInboundMessageBytes);
        builder.maxInboundMetadataSize(16 * 1024);
        if (builder instanceof NettyServerBuilder netty) {
            netty.permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .maxConnectionAge(maxConnectionAge.toMillis(), TimeUnit.MILLISECONDS)
                    .maxConnectionAgeGrace(30, TimeUnit.SECONDS);
        }
        return builder;
    }
}
