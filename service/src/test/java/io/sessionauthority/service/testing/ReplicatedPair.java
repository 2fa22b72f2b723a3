package io.sessionauthority.service.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A Redis master and one replica that replicates through a {@link FaultyProxy}: the replica's link
 * can be slowed (a replica in another zone) and cut together with the master (a lost host). The
 * master appends every write to its AOF, so after a kill it restarts with its data and the replica
 * resynchronizes. Optionally one Sentinel watches the pair without ever failing it over (its
 * down-after is a minute), so a service can find the master through Sentinel while a test kills and
 * restarts it in quick rounds.
 */
public final class ReplicatedPair implements AutoCloseable {

    public static final String MASTER_NAME = "pair";

    private final RedisServerProcess master;
    private final FaultyProxy link;
    private final RedisServerProcess replica;
    private final RedisClient replicaClient;
    private final StatefulRedisConnection<String, String> replicaConnection;
    private Process sentinel;
    private int sentinelPort;

    private ReplicatedPair(Duration linkDelay, boolean withSentinel) {
        master = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always", "--repl-diskless-sync-delay", "0");
        link = FaultyProxy.to(master.port());
        link.delay(linkDelay);
        replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(link.port()));
        replicaClient = RedisClient.create(replica.uri());
        replicaConnection = replicaClient.connect();
        if (withSentinel) {
            startSentinel();
        }
        awaitReplicaOnline();
    }

    /** A pair whose replication link adds {@code linkDelay} to every chunk it carries. */
    public static ReplicatedPair start(Duration linkDelay, boolean withSentinel) {
        return new ReplicatedPair(linkDelay, withSentinel);
    }

    /** The URI the service is configured with: the master, or the Sentinel that knows it. */
    public String uri() {
        return sentinel == null ? master.uri() : "redis-sentinel://127.0.0.1:" + sentinelPort + "#" + MASTER_NAME;
    }

    public RedisServerProcess master() {
        return master;
    }

    /** Reads on the replica, which a failover would promote. */
    public RedisCommands<String, String> replica() {
        return replicaConnection.sync();
    }

    /** The master's host is lost: the process dies (SIGKILL) and the bytes on its link with it. */
    public void loseMaster() {
        link.resetConnections();
        master.kill();
    }

    /** Starts the master again (its AOF brings its data back) and waits until the replica is online. */
    public void restoreMaster() {
        master.restart();
        awaitReplicaOnline();
    }

    /** Waits until the master reports its replica online and caught up. */
    public void awaitReplicaOnline() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String info = master.commands().info("replication");
            if (info.contains("state=online") && replica().info("replication").contains("master_link_status:up")) {
                return;
            }
            sleep(20);
        }
        throw new IllegalStateException("the replica did not come online within 30 s");
    }

    @Override
    public void close() {
        if (sentinel != null) {
            sentinel.destroyForcibly();
        }
        replicaConnection.close();
        replicaClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        replica.close();
        link.close();
        master.close();
    }

    private void startSentinel() {
        try {
            sentinelPort = RedisServerProcess.freePort();
            Path dir = Files.createTempDirectory("sentinel");
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, String.join("\n",
                    "bind 127.0.0.1",
                    "port " + sentinelPort,
                    "dir " + dir,
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 1",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " 60000",
                    ""));
            sentinel = new ProcessBuilder("redis-server", conf.toString(), "--sentinel")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", sentinelPort), 200);
                    return;
                } catch (IOException notYet) {
                    sleep(50);
                }
            }
            throw new IllegalStateException("Sentinel did not start");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
