package io.sessionauthority.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * PEM text (certificates or a private key), wherever it comes from: a file, a string (a secret
 * from a vault or an environment variable), or a stream (a classpath resource). Read once, when
 * the client is built.
 */
public final class Pem {

    private final byte[] bytes;
    private final String origin;

    private Pem(byte[] bytes, String origin) {
        this.bytes = bytes;
        this.origin = origin;
    }

    /** The PEM file at {@code path}. */
    public static Pem of(Path path) {
        Objects.requireNonNull(path, "path");
        try {
            return new Pem(Files.readAllBytes(path), path.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PEM file " + path, e);
        }
    }

    /** PEM text itself, e.g. {@code "-----BEGIN CERTIFICATE-----\n..."}. */
    public static Pem ofText(String pem) {
        Objects.requireNonNull(pem, "pem");
        if (!pem.contains("-----BEGIN ")) {
            throw new IllegalArgumentException("not PEM text (no -----BEGIN line); for a file use Pem.of(Path)");
        }
        return new Pem(pem.getBytes(StandardCharsets.US_ASCII), "PEM text");
    }

    /** PEM read from {@code in} (read fully, not closed). */
    public static Pem of(InputStream in) {
        Objects.requireNonNull(in, "in");
        try {
            return new Pem(in.readAllBytes(), "a stream");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PEM from a stream", e);
        }
    }

    InputStream open() {
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public String toString() {
        return "Pem[" + origin + "]"; // never the content: it may be a private key
    }
}
