package io.sessionauthority.client.example;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.sessionauthority.client.SessionAuthInterceptor;
import io.sessionauthority.client.SessionAuthorityClient;
import java.io.IOException;
import java.time.Duration;

/**
 * The README's "Use it from your service" snippet, compiled and run by the tests: the text
 * between the markers must equal the code block in docs/USING.md ({@code DocSnippetsTest}).
 */
public final class ReadmeExample {

    private ReadmeExample() {
    }

    /** Starts {@code myService} on {@code port}, protected by Session Authority at {@code authorityTarget}. */
    public static Server start(String authorityTarget, int port, BindableService myService) throws IOException {
        // README:use-it:begin
        SessionAuthorityClient client = SessionAuthorityClient.builder(authorityTarget) // e.g. "dns:///session-authority:50051"
                .plaintext()                                     // or .mutualTls(caPath, certPath, keyPath): Paths or Pem
                .validationCache(100_000, Duration.ofMinutes(5)) // optional: revocation-aware cache (below)
                .build();

        Server server = ServerBuilder.forPort(port)
                .addService(ServerInterceptors.intercept(myService,
                        SessionAuthInterceptor.builder(client).exempt("example.Greeter/Ping").build()))
                .build()
                .start();
        // README:use-it:end
        return server;
    }
}
