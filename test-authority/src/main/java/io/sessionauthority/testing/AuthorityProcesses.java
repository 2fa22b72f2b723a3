package io.sessionauthority.testing;

import static org.awaitility.Awaitility.await;

import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.client.UnavailableException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The authority as it runs in production, in processes of its own: a private {@code redis-server}
 * and the service's runnable jar. Separate processes keep the service's classpath (and its Micronaut
 * beans) out of the application under test — a Spring Boot app, a Micronaut app — and let a test
 * kill the service like an outage would. For the tests of this repository's integrations; not
 * published.
 */
public final class AuthorityProcesses implements AutoCloseable {

    private static final Path SERVICE_JAR = Path.of("..", "service", "target", "session-authority.jar").toAbsolutePath().normalize();
    private static final Path LOGS = Path.of("target");
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Process redis;
    private final Process service;
    private final int grpcPort;

    private AuthorityProcesses(Process redis, Process service, int grpcPort) {
        this.redis = redis;
        this.service = service;
        this.grpcPort = grpcPort;
    }

    /** Starts Redis, then the service on it, and returns once the service answers gRPC calls. */
    public static AuthorityProcesses start() {
        return start(java.util.Map.of());
    }

    /** As {@link #start()}, the service run with {@code settings} (e.g. {@code session-authority.sessions.rotate-after}). */
    public static AuthorityProcesses start(java.util.Map<String, String> settings) {
        String redisServer = onPath("redis-server");
        if (redisServer == null) {
            throw new AssertionError("redis-server is not on the PATH: install it (Debian: apt-get install redis-server)"
                    + " to run these tests, which start a private one");
        }
        if (!Files.isRegularFile(SERVICE_JAR)) {
            throw new AssertionError(SERVICE_JAR.toAbsolutePath().normalize() + " does not exist: build the service module"
                    + " first (the reactor does, before this module)");
        }
        Process redis = null;
        Process service = null;
        try {
            Files.createDirectories(LOGS);
            int redisPort = freePort();
            Path redisDir = Files.createTempDirectory("session-authority-redis");
            redis = new ProcessBuilder(redisServer, "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", redisDir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(LOGS.resolve("redis.log").toFile())
                    .start();
            awaitPort(redis, redisPort, "redis-server", LOGS.resolve("redis.log"));

            int grpcPort = freePort();
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(java(), "-Xmx256m"));
            settings.forEach((name, value) -> command.add("-D" + name + "=" + value));
            command.addAll(java.util.List.of("-jar", SERVICE_JAR.toString()));
            ProcessBuilder serviceBuilder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(LOGS.resolve("authority.log").toFile());
            serviceBuilder.environment().put("REDIS_URI", "redis://127.0.0.1:" + redisPort);
            serviceBuilder.environment().put("GRPC_SERVER_PORT", Integer.toString(grpcPort));
            serviceBuilder.environment().put("MANAGEMENT_PORT", Integer.toString(freePort()));
            service = serviceBuilder.start();
            AuthorityProcesses processes = new AuthorityProcesses(redis, service, grpcPort);
            // Should the test JVM end without @AfterAll (a crash, a timeout), leave no process behind.
            Runtime.getRuntime().addShutdownHook(new Thread(processes::close, "stop-authority-processes"));
            processes.awaitServing();
            return processes;
        } catch (IOException e) {
            stop(service);
            stop(redis);
            throw new UncheckedIOException("could not start the authority's processes", e);
        } catch (RuntimeException | Error e) {
            stop(service);
            stop(redis);
            throw e;
        }
    }

    /** Where the service listens for gRPC: {@code 127.0.0.1:<port>}. */
    public String grpcTarget() {
        return "127.0.0.1:" + grpcPort;
    }

    /**
     * A plain SDK client of the service, for the test's own calls (creating users, logging in,
     * revoking): the service runs without caller authentication on loopback, so it needs no key.
     */
    public SessionAuthorityClient newClient() {
        return SessionAuthorityClient.builder(grpcTarget()).plaintext().deadline(Duration.ofSeconds(2)).build();
    }

    /** Kills the service (SIGKILL, as a crash would), leaving Redis up: an outage of the authority. */
    public void killService() {
        service.destroyForcibly();
        waitFor(service);
    }

    @Override
    public void close() {
        stop(service);
        stop(redis);
    }

    /** Until a Validate call returns an answer instead of failing for want of a server. */
    private void awaitServing() {
        try (SessionAuthorityClient probe = newClient()) {
            String wellFormedUnknownToken = "sat1_" + "A".repeat(64);
            await("Session Authority answering on " + grpcTarget() + " (log: " + LOGS.resolve("authority.log") + ")")
                    .atMost(STARTUP).pollInterval(Duration.ofMillis(20)).until(() -> {
                        if (!service.isAlive()) {
                            throw new AssertionError("Session Authority exited with " + service.exitValue()
                                    + "; see " + LOGS.resolve("authority.log").toAbsolutePath());
                        }
                        try {
                            probe.validate(wellFormedUnknownToken);
                            return true;
                        } catch (UnavailableException notYet) {
                            return false;
                        }
                    });
        }
    }

    private static void awaitPort(Process process, int port, String name, Path log) {
        await(name + " listening on port " + port + " (log: " + log + ")").atMost(STARTUP).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    private static void stop(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!waitFor(process)) {
            process.destroyForcibly();
            waitFor(process);
        }
    }

    private static boolean waitFor(Process process) {
        try {
            return process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The java of the JVM running the tests, so the service runs on the same Java. */
    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, name);
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
