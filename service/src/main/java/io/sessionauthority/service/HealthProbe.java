package io.sessionauthority.service;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;

/**
 * A container health check that needs nothing but the service jar:
 * {@code java -cp session-authority.jar io.sessionauthority.service.HealthProbe [host:port]} exits 0
 * when the gRPC health service answers SERVING, 1 otherwise. Plaintext; for a TLS port use the
 * management port's HTTP readiness instead.
 */
public final class HealthProbe {

    private HealthProbe() {
    }

    public static void main(String[] args) {
        String target = args.length > 0 ? args[0] : "127.0.0.1:" + System.getenv().getOrDefault("GRPC_SERVER_PORT", "50051");
        ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        int exit = 1;
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            System.out.println(response.getStatus());
            exit = response.getStatus() == HealthCheckResponse.ServingStatus.SERVING ? 0 : 1;
        } catch (RuntimeException e) {
            System.out.println("UNREACHABLE: " + e.getMessage());
        } finally {
            channel.shutdownNow();
        }
        System.exit(exit);
    }
}
