package io.sessionauthority.service.security;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * The identities a client certificate claims, most specific first: its URI SANs (SPIFFE ids such
 * as {@code spiffe://example.org/ns/prod/sa/orders}), then its subject DN in RFC 2253 form.
 * The TLS handshake has already verified the certificate against the configured client CA.
 */
public final class TlsIdentities {

    private static final int SAN_URI = 6;

    private TlsIdentities() {
    }

    public static List<String> of(SSLSession session) {
        if (session == null) {
            return List.of();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return List.of();
            }
            return of(leaf);
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            return List.of();
        }
    }

    public static List<String> of(X509Certificate certificate) {
        List<String> identities = new ArrayList<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_URI).equals(san.get(0))) {
                        identities.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException malformed) {
            // A certificate the handshake accepted but whose SANs cannot be read: fall back to the subject.
        }
        identities.add(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
        return identities;
    }
}
