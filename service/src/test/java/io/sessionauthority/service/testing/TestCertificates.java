package io.sessionauthority.service.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for tests: a CA, a server certificate for 127.0.0.1/localhost, and client
 * certificates carrying a SPIFFE id, all written as PEM files (keys in PKCS#8).
 */
public final class TestCertificates {

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final SecureRandom random = new SecureRandom();

    private TestCertificates(Path dir) throws GeneralSecurityException, IOException {
        this.dir = dir;
        this.caKeys = newKeyPair();
        X500Name name = new X500Name("CN=Session Authority Test CA");
        X509v3CertificateBuilder builder = builder(name, name, caKeys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.ca = sign(builder, caKeys);
        write("ca.pem", ca);
    }

    public static TestCertificates create() {
        try {
            return new TestCertificates(Files.createTempDirectory("test-pki"));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A server certificate for 127.0.0.1 and localhost: {@code <name>.pem} and {@code <name>-key.pem}. */
    public Pair server(String name) {
        return issue(name, "CN=" + name, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")}), KeyPurposeId.id_kp_serverAuth);
    }

    /** A client certificate with subject {@code CN=<name>} and, when given, a URI SAN such as a SPIFFE id. */
    public Pair client(String name, String uriSan) {
        GeneralNames sans = uriSan == null ? null
                : new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uriSan));
        return issue(name, "CN=" + name, sans, KeyPurposeId.id_kp_clientAuth);
    }

    /** A client certificate with subject {@code CN=<cn>} and every given URI SAN, filed under {@code file}. */
    public Pair client(String file, String cn, String... uriSans) {
        GeneralName[] names = java.util.Arrays.stream(uriSans)
                .map(uri -> new GeneralName(GeneralName.uniformResourceIdentifier, uri)).toArray(GeneralName[]::new);
        return issue(file, "CN=" + cn, names.length == 0 ? null : new GeneralNames(names), KeyPurposeId.id_kp_clientAuth);
    }

    /** A certificate and its key, as PEM files. */
    public record Pair(Path certificate, Path privateKey) {
    }

    private Pair issue(String file, String subject, GeneralNames sans, KeyPurposeId purpose) {
        try {
            KeyPair keys = newKeyPair();
            X509v3CertificateBuilder builder = builder(new X500Name(ca.getSubjectX500Principal().getName()), new X500Name(subject), keys);
            if (sans != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            X509Certificate certificate = sign(builder, caKeys);
            write(file + ".pem", certificate);
            StringWriter key = new StringWriter();
            try (JcaPEMWriter pem = new JcaPEMWriter(key)) {
                pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
            }
            Files.writeString(dir.resolve(file + "-key.pem"), key.toString());
            return new Pair(dir.resolve(file + ".pem"), dir.resolve(file + "-key.pem"));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, random), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private void write(String file, X509Certificate certificate) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaMiscPEMGenerator(certificate));
        }
        try {
            Files.writeString(dir.resolve(file), out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
