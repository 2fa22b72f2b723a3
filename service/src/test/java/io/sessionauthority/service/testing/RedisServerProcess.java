package io.sessionauthority.service.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisServer;

/**
 * A real, private Redis server for tests: a {@code redis-server} process on a free loopback port,
 * with no persistence unless asked. Uses the {@code redis-server} on the PATH (Debian's package in
 * CI) and falls back to the binary bundled with embedded-redis where there is none.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static RedisServerProcess shared;

    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;
    private RedisServer embedded;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    private RedisServerProcess(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    /** One server for the whole test JVM, stopped at exit. Tests that stop Redis start their own. */
    public static synchronized RedisServerProcess shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /**
     * A redis-server on a free port. A port found free can be taken by another process before Redis
     * binds it (a Cluster node also binds its port + 10000 for the bus): a start that loses that
     * race is tried again on another port, at most three times.
     */
    public static RedisServerProcess start(String... extraArgs) {
        boolean cluster = List.of(extraArgs).contains("--cluster-enabled");
        IllegalStateException lost = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            RedisServerProcess server;
            try {
                server = new RedisServerProcess(cluster ? freePortWithBus() : freePort(), Files.createTempDirectory("redis-test"),
                        List.of(extraArgs));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                server.startProcess();
                return server;
            } catch (IllegalStateException notStarted) {
                lost = notStarted;
                server.kill();
            }
        }
        throw lost;
    }

    /**
     * A free port whose Cluster bus port (+10000) is free too. Drawn at random below Linux's
     * ephemeral range (32768 and up), bus port included: ports the kernel hands out to every other
     * socket of the build are mostly above 55535, where no bus port fits, and one picked below the
     * range is not taken by an outgoing connection between this check and Redis' bind.
     */
    private static int freePortWithBus() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 500; i++) {
            int port = random.nextInt(16_000, 22_700);
            try (ServerSocket server = new ServerSocket(port); ServerSocket bus = new ServerSocket(port + 10_000)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port with a free Cluster bus port among 500 tries in 16000-22700");
    }

    /**
     * A Redis that speaks only TLS (the plain port is off), with the given certificate, plus any
     * extra settings such as ACL users.
     */
    public static RedisServerProcess startTls(Path certificate, Path privateKey, Path ca, String... extraArgs) {
        int port = freePort();
        List<String> args = new ArrayList<>(List.of("--port", "0", "--tls-port", Integer.toString(port),
                "--tls-cert-file", certificate.toString(), "--tls-key-file", privateKey.toString(),
                "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "no"));
        args.addAll(List.of(extraArgs));
        try {
            RedisServerProcess server = new RedisServerProcess(port, Files.createTempDirectory("redis-test"), args);
            server.startProcess();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** A synchronous connection for tests to inspect and arrange what is stored. */
    public synchronized RedisCommands<String, String> commands() {
        if (connection == null) {
            client = RedisClient.create(RedisURI.create(uri()));
            connection = client.connect();
        }
        return connection.sync();
    }

    public void flushAll() {
        commands().flushall();
    }

    /**
     * Empties the store but the revocation log, for tests that share one running service. The
     * service reads the log on from where it was; a log whose end moved back looks to it like a
     * failover that lost events, and every stream subscriber would be told to drop its cache at a
     * moment no test chose (up to a second later, in the middle of the next test).
     */
    public void flushAllButTheRevocationLog() {
        commands().eval("for _, key in ipairs(redis.call('KEYS', '*')) do"
                        + " if key ~= ARGV[1] then redis.call('DEL', key) end end return 0",
                ScriptOutputType.INTEGER, new String[0], io.sessionauthority.service.store.RedisSchema.revocations());
    }

    /** Stops the server process, as a crash or an outage would (SIGKILL: no save, no goodbye). */
    public synchronized void kill() {
        closeConnection();
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
            process = null;
        }
        if (embedded != null) {
            try {
                embedded.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            embedded = null;
        }
    }

    /**
     * Freezes the server (SIGSTOP): connections stay open and nothing answers, as a Redis stalled
     * by a fork, swapping or a stuck host looks to a client. {@link #resume()} thaws it.
     */
    public synchronized void pause() {
        signal("-STOP");
    }

    /** Thaws a {@link #pause() paused} server (SIGCONT). */
    public synchronized void resume() {
        signal("-CONT");
    }

    /** Whether this is a redis-server process (signals work), not the embedded fallback. */
    public boolean isProcess() {
        return process != null;
    }

    private void signal(String signal) {
        if (process == null) {
            throw new IllegalStateException("only a redis-server process can be signalled");
        }
        try {
            int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill " + signal + " exited " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the server again on the same port and directory (with AOF on, its data comes back). */
    public synchronized void restart() {
        kill();
        startProcess();
    }

    @Override
    public synchronized void close() {
        kill();
    }

    private void startProcess() {
        List<String> settings = new ArrayList<>(List.of(
                "--bind", "127.0.0.1", "--port", Integer.toString(port), "--dir", dir.toString(),
                "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"));
        settings.addAll(extraArgs);
        // -Dtest.redis=embedded tries the fallback on a machine that has redis-server too.
        String binary = "embedded".equals(System.getProperty("test.redis")) ? null : findOnPath("redis-server");
        try {
            if (binary != null) {
                List<String> command = new ArrayList<>();
                command.add(binary);
                command.addAll(settings);
                process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("redis.log").toFile())
                        .start();
            } else {
                var builder = RedisServer.newRedisServer().port(port);
                for (int i = 0; i + 1 < settings.size(); i += 2) {
                    if (!settings.get(i).equals("--port")) {
                        builder.setting(settings.get(i).substring(2) + " " + quote(settings.get(i + 1)));
                    }
                }
                embedded = builder.onShutdownForceStop(true).build();
                embedded.start();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not start redis-server", e);
        }
        awaitPort();
    }

    private static String quote(String value) {
        return value.isEmpty() ? "\"\"" : value;
    }

    private void awaitPort() {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                break; // exited: most often its port was taken meanwhile (redis.log says)
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(20);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
    }

    private void closeConnection() {
        if (connection != null) {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            connection = null;
            client = null;
        }
    }

    /** Whether {@code name} is an executable on the PATH (topology tests need redis-server and redis-cli). */
    public static boolean onPath(String name) {
        return findOnPath(name) != null;
    }

    private static String findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, name);
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return null;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
