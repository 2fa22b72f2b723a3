package io.sessionauthority.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The system under test as real processes on loopback: a private {@code redis-server} and the
 * service jar, each on a free port, stopped when the benchmark ends.
 */
final class Processes implements AutoCloseable {

    private final List<Process> started = new ArrayList<>();
    private final Path dir;

    Processes() {
        try {
            dir = Files.createTempDirectory("bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts redis-server on a free port; answers the port. */
    int redis() {
        int port = freePort();
        start(List.of("redis-server", "--bind", "127.0.0.1", "--port", Integer.toString(port), "--save", "",
                "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir", dir.toString(),
                // The recommended setting for sessions (docs/OPERATING.md): user agents run past the default 64-byte
                // limit, which would turn every session hash from a compact listpack into a hashtable.
                "--hash-max-listpack-value", "256"), "redis.log");
        awaitPort(port, 20);
        return port;
    }

    /** Starts the service jar against Redis on {@code redisPort} with extra system properties; answers its gRPC port. */
    int service(Path jar, int redisPort, List<String> systemProperties) {
        // The container image's heap ceiling (docker/Dockerfile): the figures are those of a bounded sidecar.
        return service(jar, redisPort, List.of("-Xmx64m"), systemProperties);
    }

    /** As {@link #service(Path, int, List)} with exactly {@code jvmOptions}: none is {@code java -jar} as a newcomer runs it. */
    int service(Path jar, int redisPort, List<String> jvmOptions, List<String> systemProperties) {
        if (!Files.isReadable(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (./mvnw -q -DskipTests package)");
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(jvmOptions);
        command.addAll(systemProperties);
        command.addAll(List.of("-Dredis.uri=redis://127.0.0.1:" + redisPort, "-Dgrpc.server.port=" + port, "-jar", jar.toString()));
        start(command, "service.log");
        awaitServing(port);
        return port;
    }

    /** The process id of the last process started (the service, after {@link #service}). */
    long lastPid() {
        return started.get(started.size() - 1).pid();
    }

    /** Stops the last process started (kill -9: what the next one started finds is a cold start either way). */
    void stopLast() {
        Process last = started.remove(started.size() - 1);
        last.destroyForcibly();
        try {
            last.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Path log(String name) {
        return dir.resolve(name);
    }

    private void start(List<String> command, String log) {
        try {
            started.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }

    private static void awaitServing(int port) {
        awaitPort(port, 60);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                try {
                    HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.getDefaultInstance());
                    if (health.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                        return;
                    }
                } catch (RuntimeException notYet) {
                    sleep(100);
                }
            }
            throw new IllegalStateException("the service did not become SERVING on port " + port);
        } finally {
            channel.shutdownNow();
        }
    }

    private static void awaitPort(int port, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException("nothing listens on port " + port + " after " + seconds + " s");
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Process process : started) {
            process.destroy();
        }
        for (Process process : started) {
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
