package io.sessionauthority.service.wiring;

import io.grpc.ServerBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.sessionauthority.service.config.TlsProperties;
import jakarta.inject.Singleton;
import java.io.File;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves TLS (and mutual TLS) on the gRPC port when {@link TlsProperties} name a certificate. */
@Singleton
public class GrpcServerTls implements BeanCreatedEventListener<ServerBuilder<?>> {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcServerTls.class);

    private final TlsProperties tls;

    public GrpcServerTls(TlsProperties tls) {
        this.tls = tls;
    }

    @Override
    public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
        ServerBuilder<?> builder = event.getBean();
        if (!tls.enabled()) {
            return builder;
        }
        if (!(builder instanceof NettyServerBuilder netty)) {
            throw new IllegalStateException("TLS needs the Netty gRPC server");
        }
        try {
            SslContextBuilder context = GrpcSslContexts.forServer(readable(tls.certChain()), readable(tls.privateKey()));
            if (tls.clientCa() != null && !tls.clientCa().isBlank()) {
                context.trustManager(readable(tls.clientCa()))
                        .clientAuth(tls.clientAuth() == TlsProperties.ClientAuth.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            }
            netty.sslContext(context.build());
        } catch (SSLException e) {
            throw new IllegalStateException("session-authority.tls: cannot use the configured certificate or key: " + e.getMessage(), e);
        }
        LOG.info("gRPC serves TLS{}", tls.clientCa() == null ? "" : " with client certificates (" + tls.clientAuth().name().toLowerCase() + ")");
        return builder;
    }

    private static File readable(String path) {
        File file = new File(path);
        if (!file.canRead()) {
            throw new IllegalStateException("session-authority.tls: cannot read " + path);
        }
        return file;
    }
}
