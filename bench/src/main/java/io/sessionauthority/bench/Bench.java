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
            case "ceiling" -> ceiling(Arrays.copyOfRange(args, 1, args.length));
            case "abuse" -> abuse(Arrays.copyOfRange(args, 1, args.length));
            case "logins" -> logins(Arrays.copyOfRange(args, 1, args.length));
            case "join" -> join(Arrays.copyOfRange(args, 1, args.length));
            case "memory" -> memory(Arrays.copyOfRange(args, 1, args.length));
            case "mix" -> mix(Arrays.copyOfRange(args, 1, args.length));
            case "rss" -> rss(Arrays.copyOfRange(args, 1, args.length));
            case "import" -> importUsers(Arrays.copyOfRange(args, 1, args.length));
            default -> {
                System.err.println("""
                        usage: java -jar bench/target/session-authority-bench.jar enumeration [rounds]
                               java -jar bench/target/session-authority-bench.jar performance [--duration 10s] [--concurrency 64]
                                    [--channels 4] [--memory-sessions 100000] [--baseline-requests 200000] [--results bench/results]
                                    [--hashing-threads 0 (one per core)]
                                    [--service-java-opts "-XX:+UseZGC"]
                               java -jar bench/target/session-authority-bench.jar soak [--duration 10m] [--rate 1000] [--interval 1m]
                               java -jar bench/target/session-authority-bench.jar ceiling [--requests 200000] [--rounds 3]
                                    [--service-java-opts "..."] [--perf DIR] [--jfr DIR]
                               java -jar bench/target/session-authority-bench.jar revocations [--revokes 1000] [--duration 10s]
                                    [--agent-rate 10000] [--results bench/results]
                               java -jar bench/target/session-authority-bench.jar abuse [--duration 20s] [--load 0.3 (of peak)] [--rounds 2]
                                    [--attacks scrapers,slowloris,reconnecting-idle,rapid-reset,idle-connections,stream-hog,revoke-flood]
                                    [--results bench/results]
                               java -jar bench/target/session-authority-bench.jar logins [--duration 20s]
                               java -jar bench/target/session-authority-bench.jar memory [--users 10000] [--sessions-per-user 2]
                               java -jar bench/target/session-authority-bench.jar mix [--rate 2000] [--duration 20s]
                                    [--weights 85.5,9.5,4,0.5,0.5 (Validate hot, from Redis, Touch, Login, Revoke)]
                                    [--service-java-opts "..."]
                               java -jar bench/target/session-authority-bench.jar rss [--duration 10s] [--concurrency 64]
                               java -jar bench/target/session-authority-bench.jar import --file users.tsv --target host:port
                                    [--api-key KEY] [--ca ca.pem] (one "username<TAB>password_hash" per line; plaintext without --ca)
                               java -jar bench/target/session-authority-bench.jar import [--users 100000] (a measurement)
                               java -jar bench/target/session-authority-bench.jar join [--rounds 3] [--rate 150] [--window 10s] [--warm-up-calls 1000]""");
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

    /** Bytes per session of a real population in a Redis of its own (no service needed: the store's own code writes). */
    private static void memory(String[] args) {
        Map<String, String> flags = flags(args);
        try (Processes processes = new Processes()) {
            MemoryBench.Population population = MemoryBench.population(processes.redis(),
                    Integer.parseInt(flags.getOrDefault("users", "10000")), Integer.parseInt(flags.getOrDefault("sessions-per-user", "2")));
            System.out.print(MemoryBench.report(population));
        }
    }

    /** The production mix alone, open loop at a chosen rate, beside its Validates alone on the same schedule. */
    private static void mix(String[] args) {
        Map<String, String> flags = flags(args);
        double rate = Double.parseDouble(flags.getOrDefault("rate", "2000"));
        Duration duration = Duration.parse("PT" + flags.getOrDefault("duration", "20s").toUpperCase());
        List<String> jvm = new java.util.ArrayList<>(List.of("-Dsession-authority.login-throttle.enabled=false"));
        jvm.addAll(List.of(flags.getOrDefault("service-java-opts", "").trim().split("\\s+")).stream().filter(o -> !o.isBlank()).toList());
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            int port = processes.service(serviceJar(), redis, jvm);
            try (Scenarios calls = new Scenarios(port, 4)) {
                calls.prepare(50);
                // Warm-up: the same schedule once, discarded. Run first on a service 3 s after its own
                // warm-up, even Validates alone at 15,000/s fell behind for good (p50 0.14 s here).
                LoadRun.closedLoop("warm-up", calls::validate, 64, Duration.ofSeconds(3));
                LoadRun.openLoopMix("warm-up", calls.productionMix(), rate, duration, 10_000, 27);
                Map<String, java.util.concurrent.atomic.LongAdder> failures = new java.util.concurrent.ConcurrentHashMap<>();
                List<LoadRun.Weighted> production = calls.productionMix();
                String[] weights = flags.getOrDefault("weights", "").split(",");
                List<LoadRun.Weighted> mix = java.util.stream.IntStream.range(0, production.size()).mapToObj(i -> {
                    LoadRun.Weighted op = production.get(i);
                    return new LoadRun.Weighted(op.name(), weights.length == production.size() ? Double.parseDouble(weights[i]) : op.weight(),
                            op.operation());
                }).map(op -> new LoadRun.Weighted(op.name(), op.weight(), () -> {
                    var future = op.operation().get();
                    com.google.common.util.concurrent.Futures.addCallback(future, new com.google.common.util.concurrent.FutureCallback<Object>() {
                        @Override
                        public void onSuccess(Object result) {
                        }

                        @Override
                        public void onFailure(Throwable error) {
                            failures.computeIfAbsent(op.name() + " " + io.grpc.Status.fromThrowable(error).getCode(),
                                    key -> new java.util.concurrent.atomic.LongAdder()).increment();
                        }
                    }, com.google.common.util.concurrent.MoreExecutors.directExecutor());
                    return future;
                })).toList();
                List<LoadRun.Result> results = new java.util.ArrayList<>(LoadRun.openLoopMix("mix", mix, rate, duration, 10_000, 28));
                results.add(LoadRun.combined("mix: every Validate", results.subList(0, 2)));
                results.add(LoadRun.combined("Validates alone: every Validate",
                        LoadRun.openLoopMix("Validates alone", calls.validateOnlyMix(), rate, duration, 10_000, 28)));
                System.out.println("| run: operation | calls | errors | p50 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |");
                for (LoadRun.Result r : results) {
                    System.out.printf(java.util.Locale.ROOT, "| %s | %d | %d | %.3f | %.3f | %.3f |%n", r.name(), r.calls(), r.errors(),
                            r.percentileMillis(50), r.percentileMillis(99), r.latencyMicros().getMaxValue() / 1000.0);
                }
                System.out.println("\nFailed calls of the mix by status (the rest of the errors were never sent: 10,000 in flight): "
                        + new java.util.TreeMap<>(failures));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@code --name value} pairs, by name. */
    private static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return flags;
    }

    private static void performance(String[] args) {
        Map<String, String> flags = flags(args);
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

    /**
     * Only the performance run's resident-memory target: the service as {@code java -jar} without
     * flags and with the README's production flags, each under Validate load and 10 s after it.
     */
    private static void rss(String[] args) {
        Map<String, String> flags = flags(args);
        PerformanceBench.Options options = new PerformanceBench.Options(
                Duration.parse("PT" + flags.getOrDefault("duration", "10s").toUpperCase()),
                Integer.parseInt(flags.getOrDefault("concurrency", "64")), 4, 0, 0, Path.of("bench/results"), 0, List.of());
        try {
            new PerformanceBench(options).defaultCommandMemory(serviceJar());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * ImportUsers: from a file into a running authority (a migration), or, without {@code --file},
     * the measurement of {@code --users} users against a Redis and service of its own.
     */
    private static void importUsers(String[] args) {
        Map<String, String> flags = flags(args);
        try {
            if (!flags.containsKey("file")) {
                ImportBench.measure(Integer.parseInt(flags.getOrDefault("users", "100000")));
                return;
            }
            String target = flags.getOrDefault("target", "127.0.0.1:50051");
            SessionAuthorityClient.Builder builder = SessionAuthorityClient.builder(target);
            if (flags.containsKey("ca")) {
                builder.tls(Path.of(flags.get("ca")));
            } else {
                builder.plaintext();
            }
            if (flags.containsKey("api-key")) {
                builder.apiKey(flags.get("api-key"));
            }
            try (SessionAuthorityClient client = builder.build()) {
                ImportBench.fromFile(Path.of(flags.get("file")), client);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void revocations(String[] args) {
        Map<String, String> flags = flags(args);
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

    /** Issue 23's login lanes: the owner on a known device while guesses flood the hashing pool. */
    private static void logins(String[] args) {
        Map<String, String> flags = flags(args);
        try {
            LoginLanesBench.run(serviceJar(), Duration.parse("PT" + flags.getOrDefault("duration", "20s").toUpperCase()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Issue 25's warm join: fresh replicas, with and without the warm-up, taking calls the moment they are SERVING. */
    private static void join(String[] args) {
        Map<String, String> flags = flags(args);
        try {
            JoinBench.run(serviceJar(), Integer.parseInt(flags.getOrDefault("rounds", "3")),
                    Double.parseDouble(flags.getOrDefault("rate", "150")),
                    Duration.parse("PT" + flags.getOrDefault("window", "10s").toUpperCase()),
                    Integer.parseInt(flags.getOrDefault("warm-up-calls", "1000")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Issue 22's attacks, one at a time, against a legitimate mix at half of peak. */
    private static void abuse(String[] args) {
        Map<String, String> flags = flags(args);
        AbuseBench.Options options = new AbuseBench.Options(
                Duration.parse("PT" + flags.getOrDefault("duration", "20s").toUpperCase()),
                flags.containsKey("attacks") ? List.of(flags.get("attacks").split(",")) : Attacks.names(),
                Path.of(flags.getOrDefault("results", "bench/results")),
                Double.parseDouble(flags.getOrDefault("load", "0.3")),
                Integer.parseInt(flags.getOrDefault("rounds", "2")));
        try {
            System.out.println("\nwritten: " + new AbuseBench(options).run(serviceJar()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void soak(String[] args) {
        Map<String, String> flags = flags(args);
        try {
            SoakBench.run(serviceJar(), Duration.parse("PT" + flags.getOrDefault("duration", "10m").toUpperCase()),
                    Double.parseDouble(flags.getOrDefault("rate", "1000")),
                    Duration.parse("PT" + flags.getOrDefault("interval", "1m").toUpperCase()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Only the h2load comparison of Validate (hot and from Redis) against health Check, at 64 and 160
     * requests in flight, with the service's and Redis' CPU per call: the performance run's slowest
     * target to move, checked in two minutes instead of ten.
     */
    private static void ceiling(String[] args) {
        Map<String, String> flags = flags(args);
        int requests = Integer.parseInt(flags.getOrDefault("requests", "200000"));
        int rounds = Integer.parseInt(flags.getOrDefault("rounds", "3"));
        List<String> jvm = new java.util.ArrayList<>(List.of(flags.getOrDefault("service-java-opts", "").trim().split("\\s+")).stream()
                .filter(option -> !option.isBlank()).toList());
        jvm.add("-Dsession-authority.login-throttle.enabled=false");
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            int port = processes.service(serviceJar(), redis, jvm);
            long pid = processes.lastPid();
            try (Scenarios calls = new Scenarios(port, 1)) {
                calls.prepare(10);
                for (int[] shape : new int[][] {{4, 16}, {8, 20}}) {
                    Baselines.Comparison compared = Baselines.h2loadValidateAgainstHealth(port, calls.anyTokenForBaseline(), shape[0],
                            shape[1], rounds, requests, processes.log("."), pid, redis)
                            .orElseThrow(() -> new IllegalStateException("h2load is not installed"));
                    System.out.printf(java.util.Locale.ROOT, "%d in flight: hot / from Redis / health req/s per round: %s%n",
                            shape[0] * shape[1], compared.rounds().stream().map(Arrays::toString).toList());
                    double hot = compared.median(0);
                    double fromRedis = compared.median(1);
                    double health = compared.median(2);
                    System.out.printf(java.util.Locale.ROOT, "  medians %.0f / %.0f / %.0f; from Redis ÷ health %.2f ×, hot ÷ health %.2f ×%n",
                            hot, fromRedis, health, fromRedis / health, hot / health);
                    System.out.printf(java.util.Locale.ROOT, "  service CPU µs per call: hot %.1f, from Redis %.1f, health %.1f;"
                            + " Redis CPU µs per call from Redis %.1f%n", compared.serviceMicros()[0], compared.serviceMicros()[1],
                            compared.serviceMicros()[2], compared.redisMicros()[1]);
                }
                // One run of each kind, by name, for the recorders below.
                String token = calls.anyTokenForBaseline();
                Map<String, Runnable> loads = new java.util.LinkedHashMap<>();
                loads.put("hot", () -> Baselines.h2loadValidate(port, token, false, 4, 16, requests, processes.log(".")));
                loads.put("from-redis", () -> Baselines.h2loadValidate(port, token, true, 4, 16, requests, processes.log(".")));
                loads.put("health", () -> Baselines.h2loadHealth(port, 4, 16, requests, processes.log(".")));
                String jfr = flags.get("jfr");
                if (jfr != null) {
                    // A flight recording of the service during one run of each: its allocation
                    // samples say what each kind of call allocates, and where.
                    for (Map.Entry<String, Runnable> load : loads.entrySet()) {
                        jfrRecord(pid, Path.of(jfr, load.getKey() + ".jfr"), load.getValue());
                    }
                    System.out.println("flight recordings in " + jfr + " (" + requests + " calls each)");
                }
                String perf = flags.get("perf");
                if (perf != null) {
                    // perf(1) samples of the service, kernel included, during one run of each; start the
                    // service with -XX:+PreserveFramePointer for whole Java stacks.
                    for (Map.Entry<String, Runnable> load : loads.entrySet()) {
                        perfRecord(pid, Path.of(perf, load.getKey() + ".data"), load.getValue());
                    }
                    new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid),
                            "Compiler.perfmap").inheritIO().start().waitFor();
                    System.out.println("perf data in " + perf + "; symbols in /tmp/perf-" + pid + ".map");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void perfRecord(long pid, Path file, Runnable load) throws Exception {
        Process perf = new ProcessBuilder("perf", "record", "-F", "999", "-g", "-p", Long.toString(pid), "-o", file.toString(),
                "--", "sleep", "4").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(300);
        load.run();
        perf.waitFor();
    }

    private static void jfrRecord(long pid, Path file, Runnable load) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, Long.toString(pid), "JFR.start", "name=bench", "settings=profile")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        load.run();
        new ProcessBuilder(jcmd, Long.toString(pid), "JFR.stop", "name=bench", "filename=" + file.toAbsolutePath())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    static Path serviceJar() {
        return Path.of(System.getProperty("session-authority.jar", "service/target/session-authority.jar"));
    }
}
