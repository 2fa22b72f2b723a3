package io.sessionauthority.bench;

import io.sessionauthority.client.SessionAuthorityClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmarks of the service, run as it runs in production: a real redis-server and the service
 * jar as separate processes, driven through the client SDK over loopback.
 *
 * <pre>
 * java -jar bench/target/session-authority-bench.jar enumeration [rounds]
 * </pre>
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) {
        String scenario = args.length > 0 ? args[0] : "help";
        switch (scenario) {
            case "enumeration" -> enumeration(args.length > 1 ? Integer.parseInt(args[1]) : 200);
            case "performance" -> performance(Arrays.copyOfRange(args, 1, args.length));
            case "soak" -> soak(Arrays.copyOfRange(args, 1, args.length));
            case "revocations" -> revocations(Arrays.copyOfRange(args, 1, args.length));
            default -> {
                System.err.println("""
                        usage: java -jar bench/target/session-authority-bench.jar enumeration [rounds]
                               java -jar bench/target/session-authority-bench.jar performance [--duration 10s] [--concurrency 64]
                                    [--channels 4] [--memory-sessions 100000] [--baseline-requests 200000] [--results bench/results]
                                    [--hashing-threads 0 (one per core)]
                                    [--service-java-opts "-XX:+UseZGC"]
                               java -jar bench/target/session-authority-bench.jar soak [--duration 10m] [--rate 1000] [--interval 1m]
                               java -jar bench/target/session-authority-bench.jar revocations [--revokes 1000] [--duration 10s]
                                    [--agent-rate 10000] [--results bench/results]""");
                System.exit(2);
            }
        }
    }

    private static void enumeration(int rounds) {
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            // Throttling off: the benchmark fails hundreds of logins on purpose.
            int port = processes.service(serviceJar(), redis, List.of("-Dsession-authority.login-throttle.enabled=false"));
            try (SessionAuthorityClient client = EnumerationBench.client(port)) {
                EnumerationBench.Result result = EnumerationBench.run(client, rounds, Math.max(10, rounds / 10));
                System.out.print(EnumerationBench.report(result, rounds));
            }
        }
    }

    private static void performance(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        PerformanceBench.Options options = new PerformanceBench.Options(
                Duration.parse("PT" + flags.getOrDefault("duration", "10s").toUpperCase()),
                Integer.parseInt(flags.getOrDefault("concurrency", "64")),
                Integer.parseInt(flags.getOrDefault("channels", "4")),
                Integer.parseInt(flags.getOrDefault("memory-sessions", "100000")),
                Integer.parseInt(flags.getOrDefault("baseline-requests", "200000")),
                Path.of(flags.getOrDefault("results", "bench/results")),
                Integer.parseInt(flags.getOrDefault("hashing-threads", "0")),
                List.of(flags.getOrDefault("service-java-opts", "").trim().split("\\s+")).stream()
                        .filter(option -> !option.isBlank()).toList());
        try {
            Path written = new PerformanceBench(options).run(serviceJar());
            System.out.println("\nwritten: " + written + " (and its -latency.png)");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void revocations(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int revokes = Integer.parseInt(flags.getOrDefault("revokes", "1000"));
        RevocationBench.Options options = new RevocationBench.Options(revokes, Math.max(revokes, 1000),
                Duration.parse("PT" + flags.getOrDefault("duration", "10s").toUpperCase()),
                Integer.parseInt(flags.getOrDefault("agent-rate", "10000")), Path.of(flags.getOrDefault("results", "bench/results")));
        try {
            System.out.println("\nwritten: " + new RevocationBench(options).run(serviceJar()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void soak(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        try {
            SoakBench.run(serviceJar(), Duration.parse("PT" + flags.getOrDefault("duration", "10m").toUpperCase()),
                    Double.parseDouble(flags.getOrDefault("rate", "1000")),
                    Duration.parse("PT" + flags.getOrDefault("interval", "1m").toUpperCase()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Path serviceJar() {
        return Path.of(System.getProperty("session-authority.jar", "service/target/session-authority.jar"));
    }
}
