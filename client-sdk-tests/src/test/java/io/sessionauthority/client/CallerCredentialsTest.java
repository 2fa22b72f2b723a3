package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static io.sessionauthority.client.Expect.thrown;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.sessionauthority.client.example.GreeterService;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The SDK against an authority that authenticates its callers by API key. */
@Tag("end-to-end")
class CallerCredentialsTest {

    private static final String EDGE_KEY = "edge-key-for-tests-0001";
    private static final String READER_KEY = "reader-key-for-tests-02";
    private static RedisServerProcess redis;
    private static ServiceUnderTest authority;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        authority = ServiceUnderTest.start(redis.uri(), Map.of(
                "session-authority.security.caller-auth", "required",
                "session-authority.security.callers.edge.api-key-sha256", List.of(CallerRegistry.digestOf(EDGE_KEY)),
                "session-authority.security.callers.edge.permissions", List.of("login", "validate", "admin"),
                "session-authority.security.callers.reader.api-key-sha256", List.of(CallerRegistry.digestOf(READER_KEY)),
                "session-authority.security.callers.reader.permissions", List.of("login")));
    }

    @AfterAll
    static void stop() {
        authority.close();
        redis.close();
    }

    private static SessionAuthorityClient client(String apiKey) {
        SessionAuthorityClient.Builder builder = SessionAuthorityClient.builder("127.0.0.1:" + authority.port())
                .plaintext().deadline(Duration.ofSeconds(5));
        if (apiKey != null) {
            builder.callCredentials(ApiKeyCredentials.of(apiKey));
        }
        return builder.build();
    }

    @Test
    void anApiKeyIdentifiesTheCallingService() {
        try (SessionAuthorityClient edge = client(EDGE_KEY); SessionAuthorityClient anonymous = client(null)) {
            edge.createUser("alice", "correct horse battery");
            LoginResult login = edge.login("alice", "correct horse battery", ClientInfo.none());
            assertThat(edge.validate(login.token()).isValid()).isTrue();

            MisconfiguredException refused = thrown(MisconfiguredException.class,
                    () -> anonymous.validate(login.token()));
            assertThat(refused.reason()).isEqualTo("CALLER_UNAUTHENTICATED");
            assertThat(ApiKeyCredentials.of(EDGE_KEY).toString()).doesNotContain(EDGE_KEY);
        }
    }

    @Test
    void aServerWhoseCredentialsTheAuthorityRefusesFailsClosedWithInternal() throws Exception {
        try (SessionAuthorityClient edge = client(EDGE_KEY); SessionAuthorityClient reader = client(READER_KEY)) {
            edge.createUser("bob", "correct horse battery");
            LoginResult login = edge.login("bob", "correct horse battery", ClientInfo.none());
            // "reader" may not call Validate: the protected server must neither pass the call nor suggest a retry.
            Server greeter = ServerBuilder.forPort(0)
                    .addService(ServerInterceptors.intercept(new GreeterService(), SessionAuthInterceptor.of(reader)))
                    .build().start();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", greeter.getPort()).usePlaintext().build();
            try {
                Metadata headers = new Metadata();
                headers.put(SessionAuthInterceptor.AUTHORIZATION, "Bearer " + login.token());
                StatusRuntimeException error = thrown(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
                        GreeterService.HELLO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi"));
                assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
            } finally {
                channel.shutdownNow();
                greeter.shutdownNow();
            }
        }
    }
}
