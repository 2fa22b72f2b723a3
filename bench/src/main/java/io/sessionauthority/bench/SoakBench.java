package io.sessionauthority.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A soak: a steady open-loop mix (≈90% Validate, 8% Touch, 1% Login, 1% Revoke) for a long while,
 * sampling the service's heap after a forced GC and the number of Redis keys every interval. Bounded
 * resources show as a flat heap and a key count that stops growing once sessions turn over.
 */
final class SoakBench {

    private SoakBench() {
    }

    static void run(Path serviceJar, Duration duration, double rate, Duration interval) throws Exception {
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            int management = Processes.freePort();
            int port = processes.service(serviceJar, redis, List.of(
                    "-Dsession-authority.login-throttle.enabled=false", "-Dsession-authority.management.port=" + management));
            long pid = processes.lastPid();
            try (Scenarios calls = new Scenarios(port, 4);
                 RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis);
                 StatefulRedisConnection<String, String> connection = client.connect()) {
                calls.prepare(50);
                List<String> rows = new ArrayList<>();
                long start = System.nanoTime();
                ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
                sampler.scheduleAtFixedRate(() -> {
                    Profiler.gc(pid);
                    double heap = metric(management, "jvm_memory_used_bytes{area=\"heap\"") / 1048576.0;
                    long keys = connection.sync().dbsize();
                    String row = String.format(Locale.ROOT, "| %6.1f | %8.1f | %8d |",
                            (System.nanoTime() - start) / 60e9, heap, keys);
                    rows.add(row);
                    System.out.println(row);
                }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
                System.out.println("| minute | heap MiB after GC | Redis keys |\n| ---: | ---: | ---: |");
                List<LoadRun.Result> results = LoadRun.openLoopMix("soak", calls.productionMix(), rate, duration, 10_000, 28);
                sampler.shutdown();
                sampler.awaitTermination(30, TimeUnit.SECONDS);
                LoadRun.Result all = LoadRun.combined("soak", results);
                System.out.printf(Locale.ROOT, "%n%d calls at %.0f/s (Poisson arrivals), %d errors%n", all.calls(), all.throughput(), all.errors());
                for (LoadRun.Result result : results) {
                    System.out.printf(Locale.ROOT, "- %s: %d calls, %d errors, p50 %.3f ms, p99 %.3f ms%n", result.name(), result.calls(),
                            result.errors(), result.percentileMillis(50), result.percentileMillis(99));
                }
            }
        }
    }

    private static double metric(int managementPort, String prefix) {
        try {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                    + "/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
            return Arrays.stream(metrics.split("\n")).filter(line -> line.startsWith(prefix))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
