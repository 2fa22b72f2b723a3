package io.sessionauthority.service.testing;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service as the production configuration runs it: TLS with a client CA, every caller
 * authenticated (the callers are the test's), on its own Redis and a clock the test moves; and the
 * channels callers use to reach it (TLS, mutual TLS, API keys).
 */
public final class TlsService implements AutoCloseable {

    private final RedisServerProcess redis;
    private final TestCertificates pki;
    private final GrpcEmbeddedServer server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    private TlsService(RedisServerProcess redis, TestCertificates pki, GrpcEmbeddedServer server) {
        this.redis = redis;
        this.pki = pki;
        this.server = server;
    }

    /** Starts it with caller authentication required, and {@code properties} (the callers) on top. */
    public static TlsService start(Map<String, Object> properties, Clock clock) {
        TestCertificates pki = TestCertificates.create();
        TestCertificates.Pair serverCert = pki.server("authority");
        RedisServerProcess redis = RedisServerProcess.start();
        Map<String, Object> all = new HashMap<>(properties);
        all.put("redis.uri", redis.uri());
        all.put("session-authority.tls.cert-chain", serverCert.certificate().toString());
        all.put("session-authority.tls.private-key", serverCert.privateKey().toString());
        all.put("session-authority.tls.client-ca", pki.caPem().toString());
        all.put("session-authority.security.caller-auth", "required");
        GrpcEmbeddedServer server = ApplicationContext.builder("test").properties(all).singletons(clock).start()
                .getBean(GrpcEmbeddedServer.class);
        if (!server.isRunning()) {
            server.start();
        }
        return new TlsService(redis, pki, server);
    }

    public TestCertificates pki() {
        return pki;
    }

    public RedisServerProcess redis() {
        return redis;
    }

    public GrpcEmbeddedServer server() {
        return server;
    }

    /** A channel to the service with these credentials, closed with the service. */
    public ManagedChannel channel(ChannelCredentials credentials) {
        ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(), credentials)
                .overrideAuthority("localhost").build();
        channels.add(channel);
        return channel;
    }

    /** TLS trusting the test CA, without a client certificate. */
    public ChannelCredentials tls() {
        try {
            return TlsChannelCredentials.newBuilder().trustManager(pki.caPem().toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Mutual TLS with {@code certificate}. */
    public ChannelCredentials mtls(TestCertificates.Pair certificate) {
        try {
            return TlsChannelCredentials.newBuilder().trustManager(pki.caPem().toFile())
                    .keyManager(certificate.certificate().toFile(), certificate.privateKey().toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stub over TLS that presents {@code apiKey}. */
    public SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub withApiKey(String apiKey) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), apiKey);
        return SessionAuthorityServiceGrpc.newBlockingStub(ClientInterceptors.intercept(channel(tls()),
                MetadataUtils.newAttachHeadersInterceptor(headers))).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    /** A stub over mutual TLS with {@code certificate}. */
    public SessionAuthorityServiceGrpc.SessionAuthorityServiceBlockingStub withCertificate(TestCertificates.Pair certificate) {
        return SessionAuthorityServiceGrpc.newBlockingStub(channel(mtls(certificate))).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        server.getApplicationContext().close();
        redis.close();
    }
}
