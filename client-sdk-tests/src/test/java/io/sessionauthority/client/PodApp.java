package io.sessionauthority.client;

import java.time.Duration;

/**
 * The application of {@link ContainerIT}'s pod: it runs in its own container beside the authority's,
 * sharing the pod's network, and uses the authority as a sidecar on localhost: signs a user up, logs
 * in, validates the token, logs out and sees it revoked. Exits 0 when all of that held.
 */
public final class PodApp {

    private PodApp() {
    }

    public static void main(String[] args) {
        try (SessionAuthorityClient client = SessionAuthorityClient.builder("127.0.0.1:50051").plaintext()
                .deadline(Duration.ofSeconds(5)).build()) {
            client.awaitReady(Duration.ofSeconds(60));
            client.createUser("pod-user", "correct horse battery");
            String token = client.login("pod-user", "correct horse battery", ClientInfo.none()).token();
            boolean valid = client.validate(token).isValid();
            client.revokeToken(token);
            ValidationResult after = client.validate(token);
            System.out.println("sidecar: valid=" + valid + ", after logout " + after.reason());
            System.exit(valid && after.reason() == ValidationResult.Reason.REVOKED ? 0 : 1);
        } catch (RuntimeException e) {
            System.out.println("sidecar: failed " + e);
            System.exit(1);
        }
    }
}
