package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.service.testing.TestCertificates;
import io.sessionauthority.service.testing.TlsService;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The first call of a fresh JVM works: twenty fresh JVMs (half plaintext, half mutual TLS), each
 * building a client with the defaults and validating at once, against a running authority. Before
 * the connection got its own time, every one of them failed with DEADLINE_EXCEEDED: the 250 ms
 * deadline paid for name resolution, the handshakes and class loading.
 *
 * <p>For the measurement on a loaded machine (60 JVMs while both cores are busy elsewhere):
 * {@code -Dfirst-call.jvms-each=30 -Dfirst-call.busy-threads=2}; CI runs the defaults.
 */
@Tag("process")
class FirstCallIT {

    private static final int JVMS_EACH = Integer.getInteger("first-call.jvms-each", 10);
    /** Threads that spin while the JVMs start, as other work on a shared machine would. */
    private static final int BUSY_THREADS = Integer.getInteger("first-call.busy-threads", 0);

    @Test
    void everyFreshJvmsFirstValidateSucceedsOverPlaintextAndMutualTls() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             ServiceUnderTest plaintext = ServiceUnderTest.start(redis.uri())) {
            String token = login(SessionAuthorityClient.builder("127.0.0.1:" + plaintext.port()).plaintext().build());
            List<String> failures = runJvms("127.0.0.1:" + plaintext.port(), token, List.of(), "plaintext");
            assertThat(failures).as("first calls over plaintext that did not validate").isEmpty();
        }
        try (TlsService tls = TlsService.start(Map.<String, Object>of(
                "session-authority.security.callers.orders.tls-identities", List.of("spiffe://example.org/orders"),
                "session-authority.security.callers.orders.permissions", List.of("validate", "login", "admin")), Clock.systemUTC())) {
            TestCertificates.Pair orders = tls.pki().client("orders", "spiffe://example.org/orders");
            String target = "localhost:" + tls.server().getPort();
            String token = login(SessionAuthorityClient.builder(target).mutualTls(tls.pki().caPem(), orders.certificate(), orders.privateKey()).build());
            List<String> failures = runJvms(target, token, List.of(tls.pki().caPem().toString(), orders.certificate().toString(),
                    orders.privateKey().toString()), "mtls");
            assertThat(failures).as("first calls over mutual TLS that did not validate").isEmpty();
        }
    }

    private static String login(SessionAuthorityClient client) {
        try (client) {
            client.createUser("alice", "correct horse battery");
            return client.login("alice", "correct horse battery", ClientInfo.none()).token();
        }
    }

    /** Starts the JVMs two at a time (the machine has two cores); answers the outputs of those that failed. */
    private static List<String> runJvms(String target, String token, List<String> tlsFiles, String name) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        for (int i = 0; i < BUSY_THREADS; i++) {
            Thread busy = new Thread(() -> {
                long spins = 0;
                while (running.get()) {
                    spins++;
                }
                Blackhole.sink = spins;
            }, "first-call-load-" + i);
            busy.setDaemon(true);
            busy.start();
        }
        try {
            return runJvmsInPairs(target, token, tlsFiles, name);
        } finally {
            running.set(false);
        }
    }

    /** Where the busy threads leave their count, so the JIT cannot remove their loop. */
    private static final class Blackhole {
        static volatile long sink;
    }

    private static List<String> runJvmsInPairs(String target, String token, List<String> tlsFiles, String name) throws Exception {
        System.out.printf("%s: %d fresh JVMs, %d busy threads alongside%n", name, JVMS_EACH, BUSY_THREADS);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < JVMS_EACH; i += 2) {
            List<Process> pair = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            for (int j = i; j < i + 2; j++) {
                List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), FirstCall.class.getName(), target, token));
                command.addAll(tlsFiles);
                Path log = Path.of("target", "first-call-" + name + "-" + j + ".log");
                logs.add(log);
                pair.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
            for (int j = 0; j < pair.size(); j++) {
                Process process = pair.get(j);
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String output = Files.readString(logs.get(j), StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    failures.add(output);
                }
            }
        }
        return failures;
    }
}
