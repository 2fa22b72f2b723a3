package io.sessionauthority.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Per-call credentials that present this service's API key to Session Authority, in the
 * {@code x-api-key} header (the authority's default). Send API keys only over TLS.
 */
public final class ApiKeyCredentials extends CallCredentials {

    /** The header the authority reads API keys from unless configured otherwise. */
    public static final String DEFAULT_HEADER = "x-api-key";

    private final Metadata.Key<String> header;
    private final String apiKey;

    private ApiKeyCredentials(String header, String apiKey) {
        this.header = Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER);
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    }

    /** Credentials that send {@code apiKey} in {@value #DEFAULT_HEADER}. */
    public static ApiKeyCredentials of(String apiKey) {
        return new ApiKeyCredentials(DEFAULT_HEADER, apiKey);
    }

    /** Credentials that send {@code apiKey} in {@code header}. */
    public static ApiKeyCredentials of(String header, String apiKey) {
        return new ApiKeyCredentials(header, apiKey);
    }

    /** Adds the API key to the call's headers. */
    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(header, apiKey);
        applier.apply(headers);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "ApiKeyCredentials[header=" + header.name() + ", key=<redacted>]";
    }
}
