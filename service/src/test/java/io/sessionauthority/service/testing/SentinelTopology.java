package io.sessionauthority.service.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Redis Sentinel from real processes on loopback: one master, two replicas, three sentinels that
 * fail over after a second of silence. Needs {@code redis-server} on the PATH.
 */
public final class SentinelTopology implements AutoCloseable {

    public static final String MASTER_NAME = "mymaster";

    private final RedisServerProcess master;
    private final List<RedisServerProcess> replicas = new ArrayList<>();
    private final List<Process> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    private SentinelTopology() {
        // Redis delays a first (diskless) sync 5 s by default, waiting for more replicas to ask.
        master = RedisServerProcess.start("--repl-diskless-sync-delay", "0");
        for (int i = 0; i < 2; i++) {
            replicas.add(RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(master.port())));
        }
        // Both replicas through their first sync before anyone writes: a durable write (revoke)
        // waits for a replica's acknowledgement, and on a busy machine the first sync outlasted
        // that wait (a revoke answered UNAVAILABLE before any failover).
        if (master.commands().waitForReplication(2, 30_000) < 2) {
            close();
            throw new IllegalStateException("the replicas did not finish their first sync within 30 s");
        }
        try {
            for (int i = 0; i < 3; i++) {
                int port = RedisServerProcess.freePort();
                Path dir = Files.createTempDirectory("sentinel");
                Path conf = dir.resolve("sentinel.conf");
                Files.writeString(conf, String.join("\n",
                        "bind 127.0.0.1",
                        "port " + port,
                        "dir " + dir,
                        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                        "sentinel failover-timeout " + MASTER_NAME + " 5000",
                        "sentinel parallel-syncs " + MASTER_NAME + " 1",
                        ""));
                sentinels.add(new ProcessBuilder("redis-server", conf.toString(), "--sentinel")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start());
                sentinelPorts.add(port);
                awaitPort(port);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    public static SentinelTopology start() {
        return new SentinelTopology();
    }

    /** The URI the service is configured with: the sentinels, and the master's name. */
    public String uri() {
        return "redis-sentinel://" + sentinelPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","))
                + "#" + MASTER_NAME;
    }

    public RedisServerProcess master() {
        return master;
    }

    /** Waits until both replicas acknowledged every write the master has taken (WAIT). */
    public void awaitReplicated() {
        long replicas = master.commands().waitForReplication(2, 5000);
        if (replicas < 2) {
            throw new AssertionError("only " + replicas + " of 2 replicas acknowledged the writes within 5 s");
        }
    }

    @Override
    public void close() {
        sentinels.forEach(Process::destroyForcibly);
        replicas.forEach(RedisServerProcess::close);
        master.close();
    }

    private static void awaitPort(int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("nothing listens on " + port);
    }
}
