package io.sessionauthority.client;

import java.nio.file.Path;

/**
 * What a fresh service does at its first request: build a client with the defaults and validate a
 * token at once. Run in its own JVM by {@link FirstCallIT}; prints the answer, exits 0 when there
 * was one and 1 when the call failed.
 *
 * <p>Arguments: {@code target token [caPem certPem keyPem]}.
 */
public final class FirstCall {

    private FirstCall() {
    }

    public static void main(String[] args) {
        SessionAuthorityClient.Builder builder = SessionAuthorityClient.builder(args[0]);
        if (args.length > 2) {
            builder.mutualTls(Path.of(args[2]), Path.of(args[3]), Path.of(args[4]));
        } else {
            builder.plaintext();
        }
        int exit;
        long started = System.nanoTime();
        try (SessionAuthorityClient client = builder.build()) {
            ValidationResult result = client.validate(args[1]);
            System.out.printf("answer in %d ms: %s%n", (System.nanoTime() - started) / 1_000_000, result);
            exit = result.isValid() ? 0 : 2;
        } catch (RuntimeException e) {
            System.out.println("failed: " + e);
            exit = 1;
        }
        System.exit(exit);
    }
}
