package io.sessionauthority.service.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Redis Cluster from real processes on loopback: 3 masters and 3 replicas joined with
 * {@code redis-cli --cluster create}, failing over after a second of silence. Needs redis-server
 * and redis-cli on the PATH.
 */
public final class ClusterTopology implements AutoCloseable {

    private final List<RedisServerProcess> nodes = new ArrayList<>();

    private ClusterTopology(String... extraArgs) {
        for (int i = 0; i < 6; i++) {
            List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "1000", "--repl-diskless-sync-delay", "0"));
            args.addAll(List.of(extraArgs));
            nodes.add(RedisServerProcess.start(args.toArray(String[]::new)));
        }
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        run(command);
        awaitClusterOk();
    }

    public static ClusterTopology start() {
        return new ClusterTopology();
    }

    /** A cluster whose nodes also take {@code extraArgs} (e.g. an AOF, so a master restarts with its data). */
    public static ClusterTopology start(String... extraArgs) {
        return new ClusterTopology(extraArgs);
    }

    /** The seed nodes, as {@code redis.uris}. */
    public List<String> uris() {
        return nodes.stream().map(RedisServerProcess::uri).collect(Collectors.toList());
    }

    /** The master node that serves {@code key}'s slot (whether or not the key exists yet). */
    public RedisServerProcess masterOf(String key) {
        int slot = io.lettuce.core.cluster.SlotHash.getSlot(key);
        for (RedisServerProcess node : nodes) {
            String role = node.commands().role().get(0).toString();
            if ("master".equals(role) && servesSlot(node, slot)) {
                return node;
            }
        }
        throw new IllegalStateException("no master serves the slot of " + key);
    }

    /** Whether the node's own line of CLUSTER NODES lists a slot range holding {@code slot}. */
    private static boolean servesSlot(RedisServerProcess node, int slot) {
        String myself = node.commands().clusterNodes().lines().filter(line -> line.contains("myself")).findFirst().orElse("");
        String[] fields = myself.split(" ");
        for (int i = 8; i < fields.length; i++) {
            if (fields[i].startsWith("[")) {
                continue; // a slot being migrated or imported
            }
            String[] range = fields[i].split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerProcess::close);
    }

    /** The node that replicates {@code master}. */
    public RedisServerProcess replicaOf(RedisServerProcess master) {
        for (RedisServerProcess node : nodes) {
            String info = node.commands().info("replication");
            if (info.contains("role:slave") && info.contains("master_port:" + master.port() + "\r\n")) {
                return node;
            }
        }
        throw new IllegalStateException("no replica of " + master.uri());
    }

    /** Waits until {@code master} reports a replica online (after a failover, the old master rejoined). */
    public void awaitReplicaOnline(RedisServerProcess master) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!master.commands().info("replication").contains("state=online")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no replica of " + master.uri() + " came online");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits until every node says cluster_state:ok. */
    public void awaitClusterOk() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean ok;
            try {
                ok = nodes.stream().allMatch(node -> node.commands().clusterInfo().contains("cluster_state:ok"));
            } catch (RuntimeException restarting) {
                ok = false;
            }
            if (ok) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("the cluster did not reach cluster_state:ok");
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
