package io.sessionauthority.client;

import static io.sessionauthority.service.testing.ServiceUnderTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
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
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's "done when", as a new user would try it: two services of other teams, each protected
 * by the SDK's interceptor with the revocation-aware cache on, one user logged in to both; a revoke
 * at the authority (a real process) and both services refuse the token within milliseconds — also
 * after the authority was killed and restarted in between.
 */
@Tag("process")
class TwoProtectedServicesIT {

    @Test
    void bothCachedServicesRefuseARevokedTokenAtOnceAlsoAfterTheAuthorityRestarted() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            int authorityPort = RedisServerProcess.freePort();
            ServiceProcess authority = ServiceProcess.start(redis, authorityPort, "two-services-1");
            String target = "127.0.0.1:" + authorityPort;
            awaitUp(target);
            try (SessionAuthorityClient admin = SessionAuthorityClient.builder(target).plaintext().deadline(Duration.ofSeconds(5)).build();
                 ProtectedService orders = ProtectedService.start(target);
                 ProtectedService payments = ProtectedService.start(target)) {
                admin.createUser("alice", PASSWORD);
                List<ProtectedService> both = List.of(orders, payments);

                String token = admin.login("alice", PASSWORD, ClientInfo.none()).token();
                awaitCachedAndServing(both, token);
                System.out.printf("both services refused the revoked token %d ms after Revoke returned%n", revokeAndAwaitRefusal(admin, both, token));

                authority.kill();
                authority = ServiceProcess.start(redis, authorityPort, "two-services-2");
                awaitUp(target);
                String[] again = new String[1];
                Await.until("a login through the restarted authority", Duration.ofSeconds(30), () -> {
                    try {
                        again[0] = admin.login("alice", PASSWORD, ClientInfo.none()).token();
                        return true;
                    } catch (UnavailableException reconnecting) {
                        return false;
                    }
                });
                awaitCachedAndServing(both, again[0]);
                System.out.printf("after the authority's restart: both refused %d ms after Revoke returned%n", revokeAndAwaitRefusal(admin, both, again[0]));
                assertThat(orders.hello(token).getCode()).as("the first token stays refused").isEqualTo(Status.Code.UNAUTHENTICATED);
            } finally {
                authority.process().destroyForcibly();
            }
        }
    }

    /** Until the authority process answers (its JVM takes seconds to start). */
    private static void awaitUp(String target) {
        Await.until("the authority up", Duration.ofSeconds(60), () -> {
            try (SessionAuthorityClient probe = SessionAuthorityClient.builder(target).plaintext().build()) {
                probe.awaitReady(Duration.ofSeconds(1));
                return true;
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    /** Until both services greet the token and answer it from their caches (stream healthy). */
    private static void awaitCachedAndServing(List<ProtectedService> services, String token) {
        for (ProtectedService service : services) {
            Await.until("the service greeting the user", Duration.ofSeconds(30), () -> service.hello(token).isOk());
            Await.until("its revocation stream healthy", Duration.ofSeconds(30), service.client::revocationStreamHealthy);
        }
    }

    /** Revokes at the authority and answers how long until both services refused the token, in ms. */
    private static long revokeAndAwaitRefusal(SessionAuthorityClient admin, List<ProtectedService> services, String token) {
        assertThat(admin.revokeToken(token)).isEqualTo(1);
        long revoked = System.nanoTime();
        for (ProtectedService service : services) {
            Await.until("the revoked token refused", Duration.ofSeconds(5),
                    () -> service.hello(token).getCode() == Status.Code.UNAUTHENTICATED);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revoked);
    }

    /** A service of another team: GreeterService behind the interceptor, with its own cached client. */
    private static final class ProtectedService implements AutoCloseable {
        final SessionAuthorityClient client;
        final Server server;
        final ManagedChannel channel;

        private ProtectedService(SessionAuthorityClient client, Server server) {
            this.client = client;
            this.server = server;
            this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        }

        static ProtectedService start(String authority) throws java.io.IOException {
            SessionAuthorityClient client = SessionAuthorityClient.builder(authority).plaintext()
                    .validationCache(100_000, Duration.ofMinutes(5)).build();
            Server server = ServerBuilder.forPort(0)
                    .addService(ServerInterceptors.intercept(new GreeterService(), SessionAuthInterceptor.of(client)))
                    .build().start();
            return new ProtectedService(client, server);
        }

        /** Calls Hello with the token as a bearer token: OK, or the status the interceptor answered. */
        Status hello(String token) {
            Metadata headers = new Metadata();
            headers.put(SessionAuthInterceptor.AUTHORIZATION, "Bearer " + token);
            try {
                ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
                        GreeterService.HELLO, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "");
                return Status.OK;
            } catch (StatusRuntimeException refused) {
                return refused.getStatus();
            }
        }

        @Override
        public void close() {
            channel.shutdownNow();
            server.shutdownNow();
            client.close();
        }
    }
}
