package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * Who may call the service ({@code session-authority.security.*}).
 *
 * @param callerAuth              {@code required}: every call must come from a configured caller
 *                                (mutual TLS or API key); {@code none}: anyone reachable may call
 *                                (development only — refused on a non-loopback address unless
 *                                {@code allowUnauthenticatedCallers} says otherwise)
 * @param apiKeyHeader            the metadata key that carries a caller's API key
 * @param openServices            gRPC services any caller may use (health, reflection)
 * @param allowUnauthenticatedCallers start without caller authentication on a non-loopback address
 *                                (a deliberate, logged choice, e.g. behind a mesh that authenticates)
 * @param allowPlaintextApiKeys   start with API-key callers on a non-loopback address without TLS
 *                                (a deliberate, logged choice, e.g. behind a mesh that encrypts)
 */
@ConfigurationProperties("session-authority.security")
public record SecurityProperties(
        @Bindable(defaultValue = "none") CallerAuth callerAuth,
        @Bindable(defaultValue = "x-api-key") String apiKeyHeader,
        @Bindable(defaultValue = "grpc.health.v1.Health,grpc.reflection.v1.ServerReflection,grpc.reflection.v1alpha.ServerReflection")
        List<String> openServices,
        @Bindable(defaultValue = "false") boolean allowUnauthenticatedCallers,
        @Bindable(defaultValue = "false") boolean allowPlaintextApiKeys) {

    /** Whether callers must authenticate. */
    public enum CallerAuth {
        NONE,
        REQUIRED
    }
}
