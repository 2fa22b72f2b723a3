package io.sessionauthority.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The performance run: starts redis-server and the service, measures every scenario with its
 * baselines in the same run, and writes {@code bench/results/<date>.md} and a latency-percentile PNG.
 */
final class PerformanceBench {

    record Options(Duration duration, int concurrency, int channels, int memorySessions, int baselineRequests, Path resultsDir,
                   int hashingThreads, List<String> serviceJavaOptions) {
    }

    private final Options options;
    private final StringBuilder report = new StringBuilder();

    PerformanceBench(Options options) {
        this.options = options;
    }

    Path run(Path serviceJar) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        List<LoadRun.Result> plotted = new ArrayList<>();
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            int management = Processes.freePort();
            List<String> jvm = new ArrayList<>(options.serviceJavaOptions());
            jvm.addAll(List.of(
                    "-Dsession-authority.login-throttle.enabled=false",
                    "-Dsession-authority.passwords.hashing-threads=" + options.hashingThreads(),
                    "-Dsession-authority.management.port=" + management));
            int port = processes.service(serviceJar, redis, jvm);
            long servicePid = processes.lastPid();
            try (Scenarios calls = new Scenarios(port, options.channels())) {
                calls.prepare(50);
                // Warm-up: the JIT, connections and the script cache.
                LoadRun.closedLoop("warm-up", calls::validate, options.concurrency(), Duration.ofSeconds(3));
                LoadRun.closedLoop("warm-up", calls::healthCheck, options.concurrency(), Duration.ofSeconds(2));

                double cpu = serviceCpuSeconds(servicePid);
                LoadRun.Result health = LoadRun.closedLoop("health Check (gRPC ceiling)", calls::healthCheck, options.concurrency(), options.duration());
                double healthCpu = serviceCpuSeconds(servicePid) - cpu;
                cpu = serviceCpuSeconds(servicePid);
                LoadRun.Result validate = LoadRun.closedLoop("Validate", calls::validate, options.concurrency(), options.duration());
                double validateCpu = serviceCpuSeconds(servicePid) - cpu;
                LoadRun.closedLoop("warm-up", calls::validateFromRedis, options.concurrency(), Duration.ofSeconds(2));
                double[] redisBefore = Baselines.redisCost(redis);
                cpu = serviceCpuSeconds(servicePid);
                LoadRun.Result fromRedis = LoadRun.closedLoop("Validate from Redis (skip_cache)", calls::validateFromRedis,
                        options.concurrency(), options.duration());
                double fromRedisCpu = serviceCpuSeconds(servicePid) - cpu;
                double[] redisAfter = Baselines.redisCost(redis);
                Costs costs = new Costs(micros(healthCpu, health), micros(validateCpu, validate), micros(fromRedisCpu, fromRedis),
                        (redisAfter[0] - redisBefore[0]) / fromRedis.calls(), micros(redisAfter[1] - redisBefore[1], fromRedis));
                double[] beforeTouch = Baselines.redisCost(redis);
                LoadRun.Result touch = LoadRun.closedLoop("Touch", calls::touch, options.concurrency(), options.duration());
                double redisCpuPerTouch = micros(Baselines.redisCost(redis)[1] - beforeTouch[1], touch);
                // Half of the lower peak, so that both runs of the comparison are below their own saturation.
                double halfPeak = Math.min(validate.throughput(), health.throughput()) / 2;
                LoadRun.Result healthHalf = LoadRun.openLoop("health Check @ half peak (open loop)", calls::healthCheck, halfPeak,
                        options.duration(), 10_000);
                LoadRun.Result validateHalf = LoadRun.openLoop("Validate @ half peak (open loop)", calls::validate, halfPeak,
                        options.duration(), 10_000);
                double[] beforeLogin = Baselines.redisCost(redis);
                LoadRun.Result login = LoadRun.closedLoop("Login", calls::login, cores * 4, options.duration());
                double redisCpuPerLogin = micros(Baselines.redisCost(redis)[1] - beforeLogin[1], login);
                // The production mix at half of its own peak: the lower of Validate's peak and the rate at which its
                // 0.5% of logins take all of bcrypt's capacity (as the Login run measured it). At half of Validate's
                // peak (26,500/s here) its 130 logins/s were 4.6 x what 2 cores can hash: they were shed, and the
                // hashing threads, starved under SCHED_IDLE, held every safepoint up (up to 200 ms each).
                double mixRate = Math.min(validate.throughput(), login.throughput() / 0.005) / 2;
                // Its Validates alone on the same seeded Poisson schedule at the same rate are its baseline.
                List<LoadRun.Result> mix = LoadRun.openLoopMix("mix @ half its peak", calls.productionMix(), mixRate, options.duration(),
                        10_000, 28);
                List<LoadRun.Result> validateOnly = LoadRun.openLoopMix("its Validates alone", calls.validateOnlyMix(), mixRate,
                        options.duration(), 10_000, 28);
                LoadRun.Result mixValidate = LoadRun.combined("mix @ half its peak: every Validate", mix.subList(0, 2));
                LoadRun.Result onlyValidate = LoadRun.combined("its Validates alone: every Validate", validateOnly);
                LoadRun.Result[] burst = new LoadRun.Result[1];
                LoadRun.Result validateDuringBurst = LoadRun.during(burst, "Login burst", calls::login, 64,
                        () -> LoadRun.openLoop("Validate @ half peak during a login burst", calls::validate, halfPeak,
                                options.duration(), 10_000), options.duration());
                long heap = heapBytes(management);
                long rss = rssBytes(servicePid);
                double gcPauses = sumMetric(management, "jvm_gc_pause_seconds_count");
                double gcPauseSeconds = sumMetric(management, "jvm_gc_pause_seconds_sum");
                // Profiled apart from the measured runs: starting a recording costs CPU the figures must not pay.
                String recording = Profiler.start(servicePid);
                LoadRun.closedLoop("Validate (profiled)", calls::validate, options.concurrency(), options.duration());
                List<Map.Entry<String, Double>> profile;
                String profileProblem = "";
                try {
                    profile = Profiler.stop(servicePid, processes.log("validate.jfr"), 12, recording);
                } catch (IllegalStateException e) {
                    profile = List.of();
                    profileProblem = e.getMessage();
                }
                int requests = options.baselineRequests();
                double[] redisCeiling = Baselines.redisValidateCommand(redis, 50, requests);
                double[] readCeilings = Baselines.redisValidateReads(redis, 50, requests);
                // The token was validated by the runs above: hot, answered from the replica's memory.
                Optional<Baselines.Comparison> rounds160 = Baselines.h2loadValidateAgainstHealth(port, calls.anyTokenForBaseline(), 8, 20,
                        3, requests, processes.log("."), servicePid, redis);
                Optional<Baselines.Comparison> rounds64 = Baselines.h2loadValidateAgainstHealth(port, calls.anyTokenForBaseline(), 4, 16,
                        3, requests, processes.log("."), servicePid, redis);
                Optional<Double> h2load = rounds160.map(rounds -> rounds.median(0));
                Optional<Double> h2loadHealth = rounds160.map(rounds -> rounds.median(2));
                double bcryptMs = bcryptVerifyMillis();
                MemoryBench.Result memory = MemoryBench.run(redis, options.memorySessions());
                MemoryBench.Result memoryNoAgent = MemoryBench.run(redis, options.memorySessions(), "");
                MemoryBench.Result memoryDefaults = MemoryBench.withRedisDefaults(redis, options.memorySessions());
                MemoryBench.Result memoryAlone = MemoryBench.oneSessionPerUserWithRedisDefaults(redis, options.memorySessions() / 5);

                List<LoadRun.Result> all = new ArrayList<>(List.of(health, validate, fromRedis, touch));
                all.addAll(mix);
                all.addAll(List.of(mixValidate, onlyValidate, healthHalf, validateHalf, login, burst[0], validateDuringBurst));
                plotted.addAll(List.of(health, validate, touch, healthHalf, validateHalf, validateDuringBurst));
                write(cores, all, health, validate, touch, healthHalf, validateHalf, validateDuringBurst, login, redisCeiling, h2load,
                        h2loadHealth, bcryptMs, memory, memoryNoAgent, heap, rss, profile, profileProblem);
                writeCosts(costs, readCeilings, rounds64, rounds160);
                line(String.format(Locale.ROOT, "- Redis CPU per Touch %.1f µs, per Login %.1f µs (all of Redis's CPU over the run ÷ calls: an upper "
                        + "bound that includes its idle work, the revocation reader's polls and health pings, which weighs on the slow Login run).",
                        redisCpuPerTouch, redisCpuPerLogin));
                line(String.format(Locale.ROOT, "- With Redis' default settings (`hash-max-listpack-value 64`): %.0f bytes per session, "
                        + "session hash encoding `%s` (the %d-byte User-Agent and the device name are stored once, in a client profile "
                        + "shared by every session with the same ones; the figure includes it). With one session per user: "
                        + "%.0f bytes per session, over %d users.",
                        memoryDefaults.bytesPerSession(), memoryDefaults.encoding(), MemoryBench.USER_AGENT.length(),
                        memoryAlone.bytesPerSession(), memoryAlone.sessions()));
                target(memoryDefaults.bytesPerSession() <= 350, String.format(Locale.ROOT,
                        "≤ 350 bytes per session with Redis' default settings and a typical User-Agent (issue 16): %.0f",
                        memoryDefaults.bytesPerSession()));
                double mixRatio = mixValidate.percentileMillis(99) / onlyValidate.percentileMillis(99);
                target(mixRatio <= 2, String.format(Locale.ROOT, "in the open-loop production mix at half of its peak (%.0f/s, Poisson: 95%% "
                                + "Validate, 90%% of them hot, 4%% Touch, 0.5%% Login, 0.5%% Revoke), Validate p99 ≤ 2 × its p99 with "
                                + "Validates alone on the same schedule (issue 28): %.3f ms ÷ %.3f ms = %.2f ×; p99 of each: %s",
                        mixRate, mixValidate.percentileMillis(99), onlyValidate.percentileMillis(99), mixRatio,
                        String.join(", ", mix.stream().map(r -> String.format(Locale.ROOT, "%s %.3f ms (%d errors)",
                                r.name().substring(r.name().indexOf(": ") + 2), r.percentileMillis(99), r.errors())).toList())));
                MemoryBench.Population population = MemoryBench.population(redis, Math.max(50, options.memorySessions() / 10), 2);
                line(MemoryBench.report(population).stripTrailing());
                line("");
                line(String.format(Locale.ROOT, "Service GC over the whole run: %.0f pauses, %.1f ms in total (%.2f ms on average).",
                        gcPauses, gcPauseSeconds * 1000, gcPauses == 0 ? 0 : gcPauseSeconds * 1000 / gcPauses));
            }
        }
        defaultCommandMemory(serviceJar);
        Files.createDirectories(options.resultsDir());
        String date = LocalDate.now().toString();
        Path markdown = options.resultsDir().resolve(date + ".md");
        Path png = options.resultsDir().resolve(date + "-latency.png");
        Files.writeString(markdown, report.toString().replace("{{plot}}", png.getFileName().toString()));
        plot(plotted, png);
        return markdown;
    }

    /** The JVM options of the README's production command: the container image's JVM profile, without its archive. */
    static final List<String> SIDECAR_PROFILE = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx64m");

    /**
     * The service as people start it, in processes of its own: {@code java -jar} with no flag (a
     * newcomer) and with the README's production flags. For each, its peak resident memory under a
     * Validate load twice as long as one scenario, and its resident memory 10 s after the load
     * stopped (unsized, IdleMemoryReturn gives back what the load grew).
     */
    void defaultCommandMemory(Path serviceJar) throws Exception {
        line("");
        long unsized = residentAfterLoad(serviceJar, List.of(), "`java -jar` without flags");
        long sidecar = residentAfterLoad(serviceJar, SIDECAR_PROFILE, "`java " + String.join(" ", SIDECAR_PROFILE) + " -jar` (the README)");
        target(Math.max(unsized, sidecar) <= 200L * 1048576, String.format(Locale.ROOT,
                "a sidecar-sized JVM by default: RSS ≤ 200 MiB after the load run with `java -jar` without flags and with the "
                        + "README's production command (issue 28): %.0f MiB and %.0f MiB", unsized / 1048576.0, sidecar / 1048576.0));
    }

    private long residentAfterLoad(Path serviceJar, List<String> jvmOptions, String label) throws Exception {
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            // A free management port: a system property, not a JVM flag (9090 may be taken where this runs).
            int port = processes.service(serviceJar, redis, jvmOptions, List.of("-Dsession-authority.login-throttle.enabled=false",
                    "-Dsession-authority.management.port=" + Processes.freePort()));
            long pid = processes.lastPid();
            long[] peak = {0};
            java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> peak[0] = Math.max(peak[0], rssBytes(pid)), 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
            try (Scenarios calls = new Scenarios(port, options.channels())) {
                calls.prepare(50);
                LoadRun.closedLoop("Validate", calls::validate, options.concurrency(), options.duration().multipliedBy(2));
            } finally {
                sampler.shutdown();
                sampler.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            Thread.sleep(10_000);
            long after = rssBytes(pid);
            line(String.format(Locale.ROOT, "- The service as %s: RSS %.0f MiB at the peak of %s of Validate load, %.0f MiB 10 s after it.",
                    label, peak[0] / 1048576.0, options.duration().multipliedBy(2), after / 1048576.0));
            return after;
        }
    }

    /** What one call costs, measured around the runs above: service CPU and Redis time, µs per call. */
    record Costs(double serviceHealth, double serviceValidateHot, double serviceValidateFromRedis, double redisCommandMicros,
                 double redisCpuMicros) {
    }

    private static double micros(double cpuSeconds, LoadRun.Result run) {
        return cpuSeconds * 1_000_000 / run.calls();
    }

    /** A process's CPU seconds so far (user + system), from /proc. */
    static double serviceCpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
        } catch (IOException | RuntimeException unreadable) {
            return Double.NaN;
        }
    }

    private void writeCosts(Costs costs, double[] readCeilings, Optional<Baselines.Comparison> rounds64,
                            Optional<Baselines.Comparison> rounds160) {
        line("");
        line("Cost per call (issue 16), measured around the runs above:");
        line("");
        line(String.format(Locale.ROOT, "- Service CPU: health `Check` %.0f µs, hot Validate %.0f µs, Validate from Redis %.0f µs per call "
                        + "(process user + system time ÷ calls; the load generator's own CPU is not in it).",
                costs.serviceHealth(), costs.serviceValidateHot(), costs.serviceValidateFromRedis()));
        line(String.format(Locale.ROOT, "- Redis per Validate from Redis: %.1f µs running its commands (commandstats), %.1f µs of Redis CPU in all "
                + "(network I/O included).", costs.redisCommandMicros(), costs.redisCpuMicros()));
        line(String.format(Locale.ROOT, "- Redis ceiling of Validate's reads (redis-benchmark, 50 clients): HGETALL %.0f/s, HMGET %.0f/s, "
                + "both: %.0f Validates/s.", readCeilings[0], readCeilings[1], readCeilings[2]));
        for (var level : List.of(Map.entry("64", rounds64), Map.entry("160", rounds160))) {
            level.getValue().ifPresent(compared -> {
                StringBuilder each = new StringBuilder();
                for (double[] round : compared.rounds()) {
                    each.append(String.format(Locale.ROOT, "%s%.0f / %.0f / %.0f", each.length() == 0 ? "" : "; ", round[0], round[1], round[2]));
                }
                double hot = compared.median(0);
                double fromRedis = compared.median(1);
                double health = compared.median(2);
                line(String.format(Locale.ROOT, "- h2load, %s requests in flight (hot / from Redis / health `Check` req/s, each round: %s): "
                        + "medians %.0f / %.0f / %.0f.", level.getKey(), each, hot, fromRedis, health));
                line(String.format(Locale.ROOT, "- Under h2load at %s in flight, the service's CPU per call: hot Validate %.1f µs, Validate "
                        + "from Redis %.1f µs, health `Check` %.1f µs; Redis' CPU per Validate from Redis %.1f µs (all its CPU over those "
                        + "runs ÷ calls).", level.getKey(), compared.serviceMicros()[0], compared.serviceMicros()[1],
                        compared.serviceMicros()[2], compared.redisMicros()[1]));
                target(fromRedis >= 0.7 * health, String.format(Locale.ROOT,
                        "Validate from Redis ≥ 0.7 × health Check throughput at %s in flight (issue 16, h2load medians): %.2f ×",
                        level.getKey(), fromRedis / health));
                target(hot >= 0.9 * health, String.format(Locale.ROOT,
                        // Three decimals: at two, a 0.897 printed "0.90 × MISSED".
                        "hot Validate ≥ 0.9 × health Check throughput at %s in flight (issues 15 and 28, h2load medians): %.3f ×",
                        level.getKey(), hot / health));
                double cpuRatio = compared.serviceMicros()[1] / compared.serviceMicros()[2];
                target(cpuRatio <= 2, String.format(Locale.ROOT,
                        "Validate from Redis: the service's CPU per call ≤ 2 × health Check's at %s in flight (issue 28): %.1f µs ÷ %.1f µs = %.3f ×",
                        level.getKey(), compared.serviceMicros()[1], compared.serviceMicros()[2], cpuRatio));
                target(compared.redisMicros()[1] <= 3.0, String.format(Locale.ROOT,
                        "Validate from Redis: Redis' CPU per call ≤ 3 µs at %s in flight (issue 28): %.2f µs",
                        level.getKey(), compared.redisMicros()[1]));
            });
        }
    }

    private void write(int cores, List<LoadRun.Result> all, LoadRun.Result health, LoadRun.Result validate, LoadRun.Result touch,
                       LoadRun.Result healthHalf, LoadRun.Result validateHalf, LoadRun.Result validateDuringBurst, LoadRun.Result login, double[] redisCeiling,
                       Optional<Double> h2load, Optional<Double> h2loadHealth, double bcryptMs, MemoryBench.Result memory,
                       MemoryBench.Result memoryNoAgent, long heap, long rss, List<Map.Entry<String, Double>> profile, String profileProblem) {
        line("# Session Authority performance — " + LocalDate.now());
        line("");
        line(String.format(Locale.ROOT, "%d cores, everything on loopback (load generator, service, redis-server); %s per scenario, "
                + "%d calls in flight over %d channels (closed loop) unless stated; password hashing threads: %s.", cores, options.duration(),
                options.concurrency(), options.channels(), options.hashingThreads() == 0 ? "one per core" : options.hashingThreads()));
        if (!options.serviceJavaOptions().isEmpty()) {
            line("Service JVM options: `" + String.join(" ", options.serviceJavaOptions()) + "`.");
        }
        line("");
        line("| scenario | calls | errors | req/s | × health Check | × Redis ceiling | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |");
        line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (LoadRun.Result r : all) {
            line(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.2f | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f |", r.name(), r.calls(),
                    r.errors(), r.throughput(), r.throughput() / health.throughput(), r.throughput() / redisCeiling[0],
                    r.percentileMillis(50), r.percentileMillis(90), r.percentileMillis(99), r.percentileMillis(99.9),
                    r.latencyMicros().getMaxValue() / 1000.0));
        }
        line("");
        line("Baselines measured in this run:");
        line("");
        line(String.format(Locale.ROOT, "- gRPC ceiling: health `Check` on the same server, %.0f req/s.", health.throughput()));
        line(String.format(Locale.ROOT, "- Redis ceiling: `redis-benchmark` running the validate script (EVALSHA on a real session; Validate's fallback for a session not plainly live), "
                + "50 clients: %.0f req/s; pipelined ×16: %.0f req/s.", redisCeiling[0], redisCeiling[1]));
        h2load.ifPresentOrElse(rate -> line(String.format(Locale.ROOT, "- Second opinion: h2load on Validate of a hot token (8 connections × 20 streams; median of 3 rounds interleaved with health Check, after a warm-up): %.0f req/s, "
                        + "%.2f × the bench's Validate peak.", rate, rate / validate.throughput())),
                () -> line("- Second opinion: h2load not installed (`apt-get install nghttp2-client`)."));
        if (h2load.isPresent() && h2loadHealth.isPresent()) {
            line(String.format(Locale.ROOT, "- h2load on health `Check`: %.0f req/s; so with the lighter C client, Validate = %.2f × health Check.",
                    h2loadHealth.get(), h2load.get() / h2loadHealth.get()));
        }
        line(String.format(Locale.ROOT, "- bcrypt verification at cost 10 as the service runs it (in libcrypt where it can, see PasswordHasher): %.1f ms per core.", bcryptMs));
        line("");
        line("Memory:");
        line("");
        line(String.format(Locale.ROOT, "- Redis: %.0f bytes per session (used_memory growth ÷ %d sessions, 100 per user, typical iPhone Safari metadata "
                + "and one attribute); session hash encoding `%s`; %.0f bytes per user.", memory.bytesPerSession(), memory.sessions(),
                memory.encoding(), memory.bytesPerUser()));
        line(String.format(Locale.ROOT, "- The same without a User-Agent: %.0f bytes per session (`%s`): the typical User-Agent costs each session %.0f bytes "
                + "(it is stored once, in a client profile shared by every session with the same one).",
                memoryNoAgent.bytesPerSession(), memoryNoAgent.encoding(), memory.bytesPerSession() - memoryNoAgent.bytesPerSession()));
        line(String.format(Locale.ROOT, "- Service heap after the load scenarios: %.1f MiB; the process's resident memory (RSS): %.0f MiB "
                + "(the bench runs the service with the container image's heap ceiling, `-Xmx64m`, and the JVM's other defaults: G1, C2).",
                heap / 1048576.0, rss / 1048576.0));
        line("");
        double loginTarget = 0.8 * cores / (bcryptMs / 1000.0);
        line("Targets:");
        line("");
        target(validate.throughput() >= 0.8 * health.throughput(), String.format(Locale.ROOT,
                "Validate ≥ 0.8 × health Check throughput, with the Java load generator: %.2f ×", validate.throughput() / health.throughput()));
        target(touch.throughput() >= 0.7 * health.throughput(), String.format(Locale.ROOT,
                "Touch ≥ 0.7 × health Check throughput: %.2f ×", touch.throughput() / health.throughput()));
        target(validateHalf.percentileMillis(99) <= 2.0, String.format(Locale.ROOT,
                "Validate p99 ≤ 2 ms at half of peak rate: %.3f ms", validateHalf.percentileMillis(99)));
        target(validateDuringBurst.percentileMillis(99) <= 5.0, String.format(Locale.ROOT,
                "Validate p99 ≤ 5 ms during the login burst: %.3f ms", validateDuringBurst.percentileMillis(99)));
        double halfRatio = validateHalf.percentileMillis(99) / healthHalf.percentileMillis(99);
        target(halfRatio <= 1.5, String.format(Locale.ROOT,
                "Validate p99 ≤ 1.5 × health Check's p99 at the same offered rate, half of peak, %.0f/s (issue 16): %.3f ms ÷ %.3f ms = %.2f ×",
                validateHalf.throughput(), validateHalf.percentileMillis(99), healthHalf.percentileMillis(99), halfRatio));
        double burstRatio = validateDuringBurst.percentileMillis(99) / validateHalf.percentileMillis(99);
        target(burstRatio <= 2, String.format(Locale.ROOT,
                "Validate p99 during a login burst ≤ 2 × its p99 without it (issue 16): %.3f ms ÷ %.3f ms = %.2f ×",
                validateDuringBurst.percentileMillis(99), validateHalf.percentileMillis(99), burstRatio));
        target(login.throughput() >= loginTarget, String.format(Locale.ROOT,
                "Logins/s ≥ 0.8 × cores ÷ one bcrypt verification (%.1f/s): %.1f/s", loginTarget, login.throughput()));
        target(memory.bytesPerSession() <= 450, String.format(Locale.ROOT, "≤ 450 bytes per session: %.0f", memory.bytesPerSession()));
        h2load.ifPresent(rate -> target(Math.abs(rate / validate.throughput() - 1) <= 0.2, String.format(Locale.ROOT,
                "h2load agrees with the bench's Validate peak within 20%%: %.2f ×", rate / validate.throughput())));
        line("");
        line("Where the service's CPU went during the Validate run (JFR execution samples, top frame's package):");
        line("");
        line("| package | share of samples |");
        line("| --- | ---: |");
        for (Map.Entry<String, Double> entry : profile) {
            line(String.format(Locale.ROOT, "| `%s` | %.1f%% |", entry.getKey(), entry.getValue()));
        }
        if (profile.isEmpty()) {
            line("| (no profile in this run: " + profileProblem + ") | |");
        }
        line("");
        line("![latency by percentile]({{plot}})");
    }

    private void target(boolean met, String text) {
        line("- " + (met ? "MET" : "MISSED") + " — " + text);
    }

    private void line(String text) {
        report.append(text).append('\n');
        System.out.println(text);
    }

    private static void plot(List<LoadRun.Result> results, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600).title("Latency by percentile")
                .xAxisTitle("1 / (1 - percentile): 2 = p50, 10 = p90, 100 = p99, 1000 = p99.9, 10000 = p99.99").yAxisTitle("latency (ms)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        for (LoadRun.Result result : results) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (double p : new double[] {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99}) {
                x.add(1 / (1 - p / 100.0));
                y.add(Math.max(0.001, result.percentileMillis(p)));
            }
            chart.addSeries(result.name(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(chart, png.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
    }

    /** The process's resident set, from /proc (0 where unreadable). */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // reported as 0
        }
        return 0;
    }

    private static long heapBytes(int managementPort) {
        return (long) sumMetric(managementPort, "jvm_memory_used_bytes{area=\"heap\"");
    }

    /** The sum of every series of a Prometheus metric whose line starts with {@code prefix}. */
    private static double sumMetric(int managementPort, String prefix) {
        try {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                    + "/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
            return Arrays.stream(metrics.split("\n"))
                    .filter(line -> line.startsWith(prefix))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Median time of one bcrypt verification at cost 10 on one core of this machine, as the service's PasswordHasher runs it. */
    static double bcryptVerifyMillis() {
        io.sessionauthority.service.user.PasswordHasher hasher =
                new io.sessionauthority.service.user.PasswordHasher(10, new java.security.SecureRandom());
        String hash = hasher.hash("correct horse battery staple");
        double[] samples = new double[15];
        for (int i = 0; i < samples.length; i++) {
            long start = System.nanoTime();
            hasher.verify("correct horse battery staple", hash);
            samples[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(samples);
        return samples[samples.length / 2];
    }
}
