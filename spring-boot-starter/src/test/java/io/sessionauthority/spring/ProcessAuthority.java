package io.sessionauthority.spring;

import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.testing.AuthorityProcesses;
import java.util.Map;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The authority's processes for one test class, run with its own settings and started on first
 * use: the Spring context may read its properties before {@code @BeforeAll} runs.
 */
final class ProcessAuthority implements AutoCloseable {

    private final Map<String, String> settings;
    private AuthorityProcesses processes;
    private SessionAuthorityClient admin;

    ProcessAuthority(Map<String, String> settings) {
        this.settings = Map.copyOf(settings);
    }

    private synchronized AuthorityProcesses processes() {
        if (processes == null) {
            processes = AuthorityProcesses.start(settings);
        }
        return processes;
    }

    /** The client properties of the application under test: this authority, a deadline a busy machine keeps. */
    void register(DynamicPropertyRegistry registry) {
        registry.add("session-authority.client.target", () -> processes().grpcTarget());
        registry.add("session-authority.client.plaintext", () -> "true");
        registry.add("session-authority.client.deadline", () -> "2s");
    }

    /** A client of the test's own, for what the application under test does not do (sign-up, login). */
    synchronized SessionAuthorityClient admin() {
        if (admin == null) {
            admin = processes().newClient();
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
        }
        if (processes != null) {
            processes.close();
        }
    }
}
