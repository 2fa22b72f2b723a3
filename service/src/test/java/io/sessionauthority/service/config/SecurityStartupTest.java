package io.sessionauthority.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.testing.RedisServerProcess;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The service refuses to be exposed without caller authentication unless told so explicitly. */
@Tag("end-to-end")
class SecurityStartupTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();

    private static GrpcEmbeddedServer start(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("redis.uri", REDIS.uri());
        return ApplicationContext.run(GrpcEmbeddedServer.class, all, "test");
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutCallerAuthentication() {
        assertThatThrownBy(() -> start(Map.of("grpc.server.host", "0.0.0.0")))
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasStackTraceContaining("refusing to start")
                .hasStackTraceContaining("caller-auth=required");
    }

    @Test
    void startsBeyondLoopbackWhenExplicitlyAllowed() {
        try (GrpcEmbeddedServer server = start(Map.of("grpc.server.host", "0.0.0.0",
                "session-authority.security.allow-unauthenticated-callers", true))) {
            assertThat(server.isRunning()).isTrue();
        }
    }

    @Test
    void refusesRequiredCallerAuthenticationWithNoCallers() {
        assertThatThrownBy(() -> start(Map.of("session-authority.security.caller-auth", "required")))
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasStackTraceContaining("no caller is configured");
    }

    @Test
    void refusesAnApiKeyConfiguredInsteadOfItsDigest() {
        assertThatThrownBy(() -> start(Map.of("session-authority.security.caller-auth", "required",
                "session-authority.security.callers.edge.api-key-sha256", List.of("my-plain-key"),
                "session-authority.security.callers.edge.permissions", List.of("login"))))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .hasStackTraceContaining("not the key itself");
    }

    @Test
    void refusesApiKeysOverPlaintextBeyondLoopback() {
        Map<String, Object> apiKeyCaller = Map.of(
                "grpc.server.host", "0.0.0.0",
                "session-authority.security.caller-auth", "required",
                "session-authority.security.callers.edge.api-key-sha256", List.of(CallerRegistry.digestOf("some-edge-key")),
                "session-authority.security.callers.edge.permissions", List.of("login"));
        assertThatThrownBy(() -> start(apiKeyCaller))
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasStackTraceContaining("refusing to start")
                .hasStackTraceContaining("without TLS");
        Map<String, Object> allowed = new HashMap<>(apiKeyCaller);
        allowed.put("session-authority.security.allow-plaintext-api-keys", true);
        try (GrpcEmbeddedServer server = start(allowed)) {
            assertThat(server.isRunning()).isTrue();
        }
    }

    @Test
    void acceptsApiKeysOverPlaintextOnLoopbackWhereNothingCrossesTheNetwork() {
        try (GrpcEmbeddedServer server = start(Map.of(
                "session-authority.security.caller-auth", "required",
                "session-authority.security.callers.edge.api-key-sha256", List.of(CallerRegistry.digestOf("some-edge-key")),
                "session-authority.security.callers.edge.permissions", List.of("login")))) {
            assertThat(server.isRunning()).isTrue();
        }
    }
}
