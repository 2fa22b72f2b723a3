package io.sessionauthority.bench;

import static io.sessionauthority.bench.Scenarios.PASSWORD;

import io.sessionauthority.client.ClientInfo;
import io.sessionauthority.client.SessionAuthorityClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The revocation-aware cache, measured: cached Validate in process (against uncached Validate of
 * the same client in the same run), and revocation visibility from the moment Revoke returns to
 * the moment a second SDK instance, in another JVM and under load, refuses the token.
 */
final class RevocationBench {

    record Options(int revokes, int sessions, Duration throughputDuration, int agentRate, Path resultsDir) {
    }

    private final Options options;

    RevocationBench(Options options) {
        this.options = options;
    }

    Path run(Path serviceJar) throws Exception {
        StringBuilder report = new StringBuilder();
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            // One user with every session: the per-user cap raised so none is evicted.
            int port = processes.service(serviceJar, redis, List.of("-Dsession-authority.login-throttle.enabled=false",
                    "-Dsession-authority.sessions.max-per-user=" + (options.sessions() + 10)));
            try (SessionAuthorityClient admin = EnumerationBench.client(port);
                 SessionAuthorityClient cached = SessionAuthorityClient.builder("127.0.0.1:" + port).plaintext()
                         .deadline(Duration.ofSeconds(5)).validationCache(100_000, Duration.ofMinutes(10)).build()) {
                admin.createUser("bench", PASSWORD);
                List<String> tokens = new ArrayList<>();
                for (int i = 0; i < options.sessions(); i++) {
                    tokens.add(admin.login("bench", PASSWORD, ClientInfo.none()).token());
                }
                throughput(report, admin, cached, tokens);
                visibility(report, admin, port, tokens);
            }
        }
        Files.createDirectories(options.resultsDir());
        Path markdown = options.resultsDir().resolve(LocalDate.now() + "-revocations.md");
        Files.writeString(markdown, report.toString());
        return markdown;
    }

    private void throughput(StringBuilder report, SessionAuthorityClient uncached, SessionAuthorityClient cached, List<String> tokens)
            throws InterruptedException {
        while (!cached.revocationStreamHealthy()) {
            Thread.sleep(10);
        }
        tokens.forEach(cached::validate);
        int threads = Runtime.getRuntime().availableProcessors();
        double uncachedRate = rate(uncached, tokens, threads, Duration.ofSeconds(5), null);
        List<Long> samples = Collections.synchronizedList(new ArrayList<>());
        double cachedRate = rate(cached, tokens, threads, options.throughputDuration(), samples);
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        String text = String.format("""
                ## Cached Validate in process (%d threads, %d sessions)

                | | validations/s | p99 |
                | --- | ---: | ---: |
                | SDK, revocation-aware cache | %,.0f | %.2f µs |
                | SDK, no cache (a call to the authority each, 64 in flight), same run | %,.0f | |
                | ratio | %.0f × | |

                target ≥ 1,000,000 validations/s: %s
                """, threads, tokens.size(), cachedRate, percentile(sorted, 99) / 1000.0, uncachedRate, cachedRate / uncachedRate,
                cachedRate >= 1_000_000 ? "MET" : "MISSED");
        System.out.println(text);
        report.append("# Revocation stream and caches\n\n").append(text).append('\n');
    }

    /** Validations per second over {@code duration} from {@code threads} threads; every 1024th latency sampled. */
    private static double rate(SessionAuthorityClient client, List<String> tokens, int threads, Duration duration, List<Long> samples)
            throws InterruptedException {
        LongAdder count = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(32);
            Thread worker = new Thread(() -> {
                int i = offset;
                long local = 0;
                while (!stop.get()) {
                    String token = tokens.get(i++ % tokens.size());
                    if (samples != null && (local & 1023) == 0) {
                        long start = System.nanoTime();
                        client.validate(token);
                        samples.add(System.nanoTime() - start);
                    } else if (samples == null) {
                        // Uncached: 32 calls in flight per thread, so the baseline is the authority's
                        // throughput, not one round trip at a time.
                        window.acquireUninterruptibly();
                        client.validateAsync(token).whenComplete((result, error) -> window.release());
                    } else {
                        client.validate(token);
                    }
                    local++;
                }
                count.add(local);
            });
            workers.add(worker);
        }
        long started = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(duration.toMillis());
        stop.set(true);
        for (Thread worker : workers) {
            worker.join();
        }
        return count.sum() * 1e9 / (System.nanoTime() - started);
    }

    private void visibility(StringBuilder report, SessionAuthorityClient admin, int port, List<String> tokens) throws Exception {
        int revokes = Math.min(options.revokes(), tokens.size());
        Path jar = Path.of(RevocationBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process agent = new ProcessBuilder(javaBinary(), "-cp", jar.toString(), VisibilityAgent.class.getName(),
                Integer.toString(port), Integer.toString(options.agentRate()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Double> millis = new ArrayList<>();
        try (PrintWriter toAgent = new PrintWriter(agent.getOutputStream(), true, StandardCharsets.UTF_8);
             BufferedReader fromAgent = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
            tokens.forEach(toAgent::println);
            toAgent.println("go");
            expect(fromAgent, "ready");
            toAgent.println("stats");
            expect(fromAgent, "validations-per-second");
            for (int i = 0; i < revokes; i++) {
                toAgent.println("watch " + i);
                expect(fromAgent, "watching " + i);
                admin.revokeToken(tokens.get(i));
                long returned = System.nanoTime();
                String refused = expect(fromAgent, "refused " + i);
                long seen = Long.parseLong(refused.substring(refused.lastIndexOf(' ') + 1));
                // The event can reach the other JVM before Revoke's answer reaches this one: 0, not negative.
                millis.add(Math.max(0, seen - returned) / 1e6);
            }
            toAgent.println("stats");
            String stats = expect(fromAgent, "validations-per-second");
            toAgent.println("quit");
            agent.waitFor();
            List<Double> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            double p50 = sorted.get(sorted.size() / 2);
            double p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
            String text = String.format("""
                    ## Revocation visibility (Revoke returns → a second SDK, another JVM, refuses the token)

                    | revokes | p50 | p90 | p99 | max | the second SDK's load meanwhile |
                    | ---: | ---: | ---: | ---: | ---: | ---: |
                    | %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %s validations/s |

                    target p99 ≤ 50 ms: %s

                    ![revocation visibility](%s)
                    """, sorted.size(), p50, sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1), p99, sorted.get(sorted.size() - 1),
                    stats.substring(stats.lastIndexOf(' ') + 1), p99 <= 50 ? "MET" : "MISSED", LocalDate.now() + "-revocations.png");
            System.out.println(text);
            report.append(text);
            plot(sorted, options.resultsDir().resolve(LocalDate.now() + "-revocations.png"));
        } finally {
            agent.destroyForcibly();
        }
    }

    private static String expect(BufferedReader in, String prefix) throws IOException {
        String line = in.readLine();
        if (line == null || !line.startsWith(prefix)) {
            throw new IllegalStateException("the agent said " + line + ", not " + prefix);
        }
        return line;
    }

    private static void plot(List<Double> sortedMillis, Path png) throws IOException {
        Files.createDirectories(png.getParent());
        XYChart chart = new XYChartBuilder().width(900).height(500).title("Revocation visibility: Revoke returned → another JVM's SDK refuses")
                .xAxisTitle("visibility (ms)").yAxisTitle("share of revokes seen (%)").build();
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int i = 0; i < sortedMillis.size(); i++) {
            x.add(sortedMillis.get(i));
            y.add(100.0 * (i + 1) / sortedMillis.size());
        }
        chart.addSeries("cumulative", x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, png.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
    }

    private static double percentile(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * p / 100) - 1));
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
