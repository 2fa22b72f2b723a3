package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * TLS on the gRPC port ({@code session-authority.tls.*}); off unless a certificate is given.
 *
 * @param certChain  PEM file: the server certificate, then its intermediates
 * @param privateKey PEM file: the server's private key (PKCS#8)
 * @param clientCa   PEM file: CAs whose client certificates identify callers (mutual TLS)
 * @param clientAuth with a client CA: {@code optional} (callers may use API keys instead) or
 *                   {@code require} (every connection must present a certificate)
 */
@ConfigurationProperties("session-authority.tls")
public record TlsProperties(
        @Nullable String certChain,
        @Nullable String privateKey,
        @Nullable String clientCa,
        @Bindable(defaultValue = "optional") ClientAuth clientAuth) {

    /** Whether connections must present a client certificate. */
    public enum ClientAuth {
        OPTIONAL,
        REQUIRE
    }

    public boolean enabled() {
        return certChain != null && !certChain.isBlank();
    }

    public TlsProperties {
        boolean hasCert = certChain != null && !certChain.isBlank();
        boolean hasKey = privateKey != null && !privateKey.isBlank();
        if (hasCert != hasKey) {
            throw new IllegalArgumentException("session-authority.tls: cert-chain and private-key go together");
        }
        if (!hasCert && clientCa != null && !clientCa.isBlank()) {
            throw new IllegalArgumentException("session-authority.tls.client-ca needs cert-chain and private-key: mutual TLS is TLS first");
        }
    }
}
