package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.sessionauthority.service.config.EnvironmentAliases;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Callers configured by environment alone, as a Kubernetes Secret would hand them over
 * ({@code SESSION_AUTHORITY_CALLERS} in JSON): the caller's key is accepted with its permissions
 * and nothing more, and an unknown caller is refused. Micronaut's own variable mapping could not
 * express them, and the service refused to start ("no caller is configured").
 */
@Tag("end-to-end")
class CallersByEnvironmentEndToEndTest {

    private static final String KEY = "an-envoy-key-that-only-the-test-knows";

    @Test
    void aCallerFromTheEnvironmentGetsItsPermissionsAndNoMore() {
        Map<String, Object> properties = EnvironmentAliases.properties(Map.of(
                "SESSION_AUTHORITY_CALLER_AUTH", "required",
                "SESSION_AUTHORITY_CALLERS", "{\"envoy\": {\"api-key-sha256\": [\"" + CallerRegistry.digestOf(KEY)
                        + "\"], \"permissions\": [\"validate\"]}}"));
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest service = ServiceUnderTest.start(redis.uri(), properties)) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), KEY);
            var envoy = SessionAuthorityServiceGrpc.newBlockingStub(ClientInterceptors.intercept(service.channel(),
                    MetadataUtils.newAttachHeadersInterceptor(headers))).withDeadlineAfter(10, TimeUnit.SECONDS);

            assertThat(envoy.validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build()).getValid()).isFalse();
            assertThatThrownBy(() -> envoy.login(LoginRequest.newBuilder().setUsername("alice").setPassword("whatever1").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            denied -> assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
            assertThatThrownBy(() -> service.blocking().validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            refused -> assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        }
    }
}
