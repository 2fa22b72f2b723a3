package io.sessionauthority.service.security;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * The identity a client certificate proves. The TLS handshake has already verified the certificate
 * against the configured client CA; this decides which name in it counts.
 *
 * <ul>
 *   <li>A certificate with a URI SAN (a SPIFFE id such as {@code spiffe://example.org/ns/prod/sa/orders})
 *       is that workload and nothing else: its subject is not a fallback, so a certificate issued to
 *       one workload cannot pass for another by carrying a matching CN.</li>
 *   <li>A certificate with two or more URI SANs names no single workload (SPIFFE allows exactly
 *       one): it proves no identity at all.</li>
 *   <li>Only a certificate without URI SANs is known by its subject DN, in RFC 2253 form.</li>
 * </ul>
 */
public final class TlsIdentities {

    private static final int SAN_URI = 6;

    private TlsIdentities() {
    }

    public static Optional<String> of(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return Optional.empty();
            }
            return of(leaf);
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            return Optional.empty();
        }
    }

    public static Optional<String> of(X509Certificate certificate) {
        List<String> uris = new ArrayList<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_URI).equals(san.get(0))) {
                        uris.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException malformed) {
            // SANs that cannot be read may hide a URI SAN: the subject must not stand in for it.
            return Optional.empty();
        }
        if (uris.size() > 1) {
            return Optional.empty();
        }
        if (uris.size() == 1) {
            return Optional.of(uris.get(0));
        }
        return Optional.of(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
    }
}
