package io.sessionauthority.bench;

import static io.sessionauthority.bench.Scenarios.PASSWORD;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.TouchRequest;
import io.sessionauthority.v1.ValidateRequest;
import io.sessionauthority.v1.WatchRevocationsRequest;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Issue 22's abuse benchmark: the production jar with every caller authenticated (API keys) and
 * throttling on, a legitimate mix at half of Validate's peak (Validate and Touch in an open loop,
 * two logins a second, a kubelet-style liveness probe every 100 ms on a new connection, a new gRPC
 * connection every 250 ms, another caller's WatchRevocations subscription every second), first
 * without an attack and then during each attack of {@link Attacks}, one at a time. Prints, per
 * attack, the legitimate success rates, Validate's p99 against the same run without an attack, and
 * the probes' latency, then each target MET or MISSED. Each attack runs in a process of its own at
 * the lowest CPU priority ({@link AttackProcess}).
 *
 * <pre>java -jar bench/target/session-authority-bench.jar abuse [--duration 20s] [--attacks a,b] [--results bench/results]</pre>
 */
final class AbuseBench {

    record Options(Duration perAttack, List<String> attacks, Path resultsDir, double loadFraction, int rounds) {
    }

    private static final String EDGE_KEY = "bench-edge-key-0123456789";
    private static final String READER_KEY = "bench-reader-key-0123456789";
    private static final String OTHER_KEY = "bench-other-key-0123456789";
    private static final String FLOODER_KEY = "bench-flooder-key-0123456789";
    private static final String ADMIN_KEY = "bench-admin-key-0123456789";

    /** What the legitimate callers saw in one window. */
    record Window(String attack, String achieved, double serviceCpu, double benchCpu, long validates, long validateErrors, Histogram validateMicros, long touches,
                  long touchErrors, long logins, long loginErrors, Histogram probeMicros, long probes, long probesLate,
                  long newConnections, long newConnectionFailures, long subscriptions, long subscriptionFailures, long revocationEvents) {

        double validateSuccess() {
            return validates == 0 ? 0 : 100.0 * (validates - validateErrors) / validates;
        }

        double validateP99Millis() {
            return validateMicros.getValueAtPercentile(99) / 1000.0;
        }

        /** The two windows as one: counts summed, histograms added; what the attacker achieved, each time. */
        Window plus(Window other) {
            Histogram validatesBoth = validateMicros.copy();
            validatesBoth.add(other.validateMicros());
            Histogram probesBoth = probeMicros.copy();
            probesBoth.add(other.probeMicros());
            return new Window(attack, achieved.equals(other.achieved()) ? achieved : achieved + "; " + other.achieved(), (serviceCpu + other.serviceCpu()) / 2, (benchCpu + other.benchCpu()) / 2,
                    validates + other.validates(), validateErrors + other.validateErrors(), validatesBoth, touches + other.touches(),
                    touchErrors + other.touchErrors(), logins + other.logins(), loginErrors + other.loginErrors(), probesBoth,
                    probes + other.probes(), probesLate + other.probesLate(), newConnections + other.newConnections(),
                    newConnectionFailures + other.newConnectionFailures(), subscriptions + other.subscriptions(),
                    subscriptionFailures + other.subscriptionFailures(), revocationEvents + other.revocationEvents());
        }

        double probeMillis(double percentile) {
            return probeMicros.getTotalCount() == 0 ? Double.NaN : probeMicros.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private final Options options;
    private final StringBuilder report = new StringBuilder();

    AbuseBench(Options options) {
        this.options = options;
    }

    Path run(Path jar) throws Exception {
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            int management = Processes.freePort();
            int port = processes.service(jar, redis, List.of(
                    "-Dsession-authority.security.caller-auth=required",
                    caller("edge", EDGE_KEY),
                    caller("reader", READER_KEY),
                    caller("other", OTHER_KEY),
                    caller("flooder", FLOODER_KEY),
                    caller("admin", ADMIN_KEY),
                    "-Dsession-authority.security.callers.edge.permissions=login,validate",
                    "-Dsession-authority.security.callers.reader.permissions=validate",
                    "-Dsession-authority.security.callers.other.permissions=validate",
                    "-Dsession-authority.security.callers.flooder.permissions=login,validate",
                    "-Dsession-authority.security.callers.admin.permissions=admin",
                    "-Dsession-authority.management.port=" + management));
            long servicePid = processes.lastPid();
            try (Legit legit = new Legit(port, management, servicePid)) {
                String victim = legit.prepare(50);
                Attacks.Target target = new Attacks.Target(port, management, READER_KEY, FLOODER_KEY, victim);
                Duration step = options.perAttack().compareTo(Duration.ofSeconds(10)) < 0 ? options.perAttack() : Duration.ofSeconds(10);
                legit.peakValidates(step); // warm-up: the JIT compiles the call paths before anything is measured
                double peak = legit.peakValidates(step.dividedBy(2));
                double rate = peak * options.loadFraction();
                line(String.format(Locale.ROOT, "Validate peak (closed loop, 64 in flight): %,.0f/s; legitimate mix at %.2f of it, %,.0f/s"
                        + " (96%% Validate, 4%% Touch), 2 logins/s, a liveness probe every 100 ms, a new connection every 250 ms,"
                        + " a WatchRevocations subscription by another caller every second; %s per window, %d rounds of every attack.",
                        peak, options.loadFraction(), rate, options.perAttack(), options.rounds()));
                line("");
                List<Window> windows = new ArrayList<>();
                // Warm-up: the mix's own code paths, in the service and in this generator, compiled before
                // anything is measured (the first window after one warm-up still ran 20 × slower).
                for (int i = 0; i < 3; i++) {
                    legit.measure("(warm-up)", null, rate, step, target);
                }
                // Rounds of every attack with a window without attack before each round and after the last;
                // each row adds up its windows (a p99 over all their calls), as does the baseline.
                java.util.Map<String, Window> rows = new java.util.LinkedHashMap<>();
                String none = "none (" + (options.rounds() + 1) + " windows, between the rounds)";
                for (int round = 0; round < options.rounds(); round++) {
                    rows.merge(none, legit.measure(none, null, rate, options.perAttack(), target), Window::plus);
                    for (String attack : options.attacks()) {
                        rows.merge(attack, legit.measure(attack, attack.equals("none") ? null : attack, rate, options.perAttack(), target),
                                Window::plus);
                        Thread.sleep(2_000); // the service sheds what the attack left (sockets closing, streams ending)
                    }
                }
                rows.merge(none, legit.measure(none, null, rate, options.perAttack(), target), Window::plus);
                windows.addAll(rows.values());
                write(rows.get(none).validateP99Millis(), windows);
            }
        }
        Files.createDirectories(options.resultsDir());
        Path markdown = options.resultsDir().resolve(LocalDate.now() + "-abuse.md");
        Files.writeString(markdown, report.toString());
        return markdown;
    }

    private static String caller(String name, String key) {
        return "-Dsession-authority.security.callers." + name + ".api-key-sha256=" + digest(key);
    }

    private static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code baselineP99}: Validate's p99 without attack, over every window without one. */
    private void write(double baselineP99, List<Window> windows) {
        line("| attack | what the attacker achieved | service CPU | bench CPU | Validate OK | Validate p99 | × no attack | Touch OK | Login OK"
                + " | probes ≤ 1 s | probe p50 / p99 / max | new connections OK | other caller subscribes | revocation events |");
        line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Window w : windows) {
            line(String.format(Locale.ROOT, "| %s | %s | %.0f%% | %.0f%% | %.3f%% | %.2f ms | %.2f × | %d/%d | %d/%d | %d/%d | %.1f / %.1f / %.1f ms | %d/%d | %d/%d | %d |",
                    w.attack(), w.achieved(), w.serviceCpu(), w.benchCpu(), w.validateSuccess(), w.validateP99Millis(), w.validateP99Millis() / baselineP99,
                    w.touches() - w.touchErrors(), w.touches(), w.logins() - w.loginErrors(), w.logins(),
                    w.probes() - w.probesLate(), w.probes(), w.probeMillis(50), w.probeMillis(99), w.probeMillis(100),
                    w.newConnections() - w.newConnectionFailures(), w.newConnections(),
                    w.subscriptions() - w.subscriptionFailures(), w.subscriptions(), w.revocationEvents()));
        }
        line("");
        line(String.format(Locale.ROOT, "Validate's p99 without attack: %.2f ms, over the windows without attack before each"
                + " round and after the last (the × column divides by it). CPU: the service's and this load generator's, the"
                + " mean of the rounds; 100%% is one core of the two.", baselineP99));
        line("");
        line("Targets (issue 22), per attack:");
        line("");
        for (Window w : windows.subList(1, windows.size())) {
            double ratio = w.validateP99Millis() / baselineP99;
            boolean validate = w.validateSuccess() >= 99.9 && ratio <= 3;
            boolean probes = w.probesLate() == 0 && w.probeMillis(99) <= 100;
            boolean others = w.subscriptionFailures() == 0 && w.newConnectionFailures() == 0;
            target(validate, String.format(Locale.ROOT, "%s: legitimate Validate ≥ 99.9%% OK and p99 ≤ 3 × without attack: %.3f%%, %.2f ×",
                    w.attack(), w.validateSuccess(), ratio));
            target(probes, String.format(Locale.ROOT, "%s: every probe within 1 s, p99 ≤ 100 ms: %d of %d late, p99 %.1f ms",
                    w.attack(), w.probesLate(), w.probes(), w.probeMillis(99)));
            target(others, String.format(Locale.ROOT, "%s: another caller's subscription and new connections get in: %d and %d failed",
                    w.attack(), w.subscriptionFailures(), w.newConnectionFailures()));
            if (w.attack().equals("revoke-flood")) {
                target(w.revocationEvents() == 0, String.format(Locale.ROOT,
                        "revoke-flood: no event without a revocation: %d events appended", w.revocationEvents()));
            }
        }
    }

    private void target(boolean met, String text) {
        line("- " + (met ? "MET" : "MISSED") + " — " + text);
    }

    private void line(String text) {
        report.append(text).append('\n');
        System.out.println(text);
    }

    /**
     * An attack in a process of its own at the lowest CPU priority ({@code nice -n 19}), as an
     * attacker on another machine: on these two shared cores the bench must measure what handling
     * the attack costs the service, not how much CPU the attacker's own client takes from it.
     */
    private record AttackProcess(Process process, Path output) {

        static AttackProcess start(String name, Attacks.Target target) throws IOException {
            List<String> command = new ArrayList<>();
            if (new java.io.File("/usr/bin/nice").canExecute()) {
                command.addAll(List.of("/usr/bin/nice", "-n", "19"));
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), Attacks.class.getName(), name,
                    Integer.toString(target.grpcPort()), Integer.toString(target.managementPort()), target.readerKey(),
                    target.flooderKey(), target.victimUserId()));
            Path output = Files.createTempFile("attack-" + name, ".log");
            return new AttackProcess(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start(), output);
        }

        /**
         * Waits until the attack is set up (an attacker at nice 19 took seconds to open its thousand
         * streams, and the window measured its set-up instead of the attack it sustains).
         */
        void awaitReady(Duration within) throws Exception {
            long giveUp = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < giveUp && process.isAlive()) {
                if (Files.readAllLines(output).stream().anyMatch(line -> line.startsWith(Attacks.READY))) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("the attack process did not get ready; see " + output);
        }

        /** Stops the attack; answers what it achieved. */
        String stop() throws Exception {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            String achieved = Files.readAllLines(output).stream().filter(line -> line.startsWith(Attacks.ACHIEVED))
                    .map(line -> line.substring(Attacks.ACHIEVED.length())).findFirst()
                    .orElse("(the attack process said nothing; see " + output + ")");
            Files.deleteIfExists(output);
            return achieved;
        }
    }

    /** The legitimate callers: the edge (Validate, Touch, Login), a kubelet, new clients, another caller's cache. */
    private static final class Legit implements AutoCloseable {
        private final int port;
        private final int management;
        private final EventLoopGroup loop = new NioEventLoopGroup(1);
        private final List<ManagedChannel> channels = new ArrayList<>();
        private final List<SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub> edge = new ArrayList<>();
        private final List<String> tokens = new ArrayList<>();
        private final ManagedChannel otherChannel;
        private final long servicePid;

        Legit(int port, int management, long servicePid) {
            this.port = port;
            this.management = management;
            this.servicePid = servicePid;
            for (int i = 0; i < 4; i++) {
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                        .eventLoopGroup(loop).channelType(NioSocketChannel.class).directExecutor().build();
                channels.add(channel);
                edge.add(SessionAuthorityServiceGrpc.newFutureStub(Attacks.withKey(channel, EDGE_KEY)));
            }
            otherChannel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            channels.add(otherChannel);
        }

        /**
         * Creates the legitimate user and its sessions (fewer than the per-user cap, so none is evicted),
         * and the user whose logins the mix makes; answers the first's id (the revoke flood's victim).
         */
        String prepare(int sessions) throws Exception {
            var admin = SessionAuthorityServiceGrpc.newBlockingStub(Attacks.withKey(channels.get(0), ADMIN_KEY))
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            String userId = admin.createUser(CreateUserRequest.newBuilder().setUsername("legit").setPassword(PASSWORD).build()).getUserId();
            admin.createUser(CreateUserRequest.newBuilder().setUsername("signs-in").setPassword(PASSWORD).build());
            List<ListenableFuture<LoginResponse>> logins = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                logins.add(edge.get(i % edge.size()).withDeadlineAfter(120, TimeUnit.SECONDS)
                        .login(LoginRequest.newBuilder().setUsername("legit").setPassword(PASSWORD).build()));
                if (logins.size() % 32 == 0) {
                    for (ListenableFuture<LoginResponse> login : logins) {
                        tokens.add(login.get().getToken());
                    }
                    logins.clear();
                }
            }
            for (ListenableFuture<LoginResponse> login : logins) {
                tokens.add(login.get().getToken());
            }
            return userId;
        }

        private SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub stub() {
            return edge.get(ThreadLocalRandom.current().nextInt(edge.size())).withDeadlineAfter(2, TimeUnit.SECONDS);
        }

        private String token() {
            return tokens.get(ThreadLocalRandom.current().nextInt(tokens.size()));
        }

        double peakValidates(Duration duration) {
            LoadRun.Result result = LoadRun.closedLoop("Validate", () -> stub().validate(ValidateRequest.newBuilder().setToken(token()).build()),
                    64, duration);
            return result.throughput();
        }

        Window measure(String label, String attackName, double rate, Duration duration, Attacks.Target target) throws Exception {
            AttackProcess attack = attackName == null ? null : AttackProcess.start(attackName, target);
            if (attack != null) {
                attack.awaitReady(Duration.ofSeconds(60));
                Thread.sleep(2_000); // the attack takes hold before the window opens
            }
            ScheduledExecutorService side = Executors.newScheduledThreadPool(4);
            Recorder probes = new Recorder(60_000_000L, 3);
            AtomicLong probeCount = new AtomicLong();
            AtomicLong probesLate = new AtomicLong();
            AtomicLong logins = new AtomicLong();
            AtomicLong loginErrors = new AtomicLong();
            AtomicLong newConnections = new AtomicLong();
            AtomicLong newConnectionFailures = new AtomicLong();
            AtomicLong subscriptions = new AtomicLong();
            AtomicLong subscriptionFailures = new AtomicLong();
            AtomicLong events = new AtomicLong();
            Context.CancellableContext watching = Context.current().withCancellation();
            watching.run(() -> SessionAuthorityServiceGrpc.newStub(Attacks.withKey(otherChannel, OTHER_KEY)).watchRevocations(
                    WatchRevocationsRequest.getDefaultInstance(), new StreamObserver<WatchRevocationsResponse>() {
                        @Override
                        public void onNext(WatchRevocationsResponse message) {
                            if (message.hasRevocation() && message.getRevocation().getUserId().equals(target.victimUserId())) {
                                events.incrementAndGet();
                            }
                        }

                        @Override
                        public void onError(Throwable error) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    }));
            side.scheduleAtFixedRate(() -> {
                long micros = probe();
                probeCount.incrementAndGet();
                if (micros < 0 || micros > 1_000_000) {
                    probesLate.incrementAndGet();
                }
                probes.recordValue(micros < 0 ? 60_000_000L : Math.max(1, micros));
            }, 0, 100, TimeUnit.MILLISECONDS);
            side.scheduleAtFixedRate(() -> {
                logins.incrementAndGet();
                Futures.addCallback(stub().withDeadlineAfter(5, TimeUnit.SECONDS)
                        .login(LoginRequest.newBuilder().setUsername("signs-in").setPassword(PASSWORD).build()), counting(loginErrors),
                        MoreExecutors.directExecutor());
            }, 0, 500, TimeUnit.MILLISECONDS);
            side.scheduleAtFixedRate(() -> {
                newConnections.incrementAndGet();
                if (!Attacks.newConnectionAnswers(port)) {
                    newConnectionFailures.incrementAndGet();
                }
            }, 0, 250, TimeUnit.MILLISECONDS);
            side.scheduleAtFixedRate(() -> {
                subscriptions.incrementAndGet();
                if (!Attacks.subscribes(otherChannel, OTHER_KEY)) {
                    subscriptionFailures.incrementAndGet();
                }
            }, 0, 1, TimeUnit.SECONDS);

            double serviceCpuBefore = PerformanceBench.serviceCpuSeconds(servicePid);
            double benchCpuBefore = PerformanceBench.serviceCpuSeconds(ProcessHandle.current().pid());
            long windowBegan = System.nanoTime();
            Recorder validates = new Recorder(60_000_000L, 3);
            AtomicLong validateCount = new AtomicLong();
            AtomicLong validateErrors = new AtomicLong();
            AtomicLong touchCount = new AtomicLong();
            AtomicLong touchErrors = new AtomicLong();
            openLoop(rate, duration, validates, validateCount, validateErrors, touchCount, touchErrors);

            double elapsed = System.nanoTime() - windowBegan;
            double serviceCpu = 100.0 * (PerformanceBench.serviceCpuSeconds(servicePid) - serviceCpuBefore) * 1e9 / elapsed;
            double benchCpu = 100.0 * (PerformanceBench.serviceCpuSeconds(ProcessHandle.current().pid()) - benchCpuBefore) * 1e9 / elapsed;
            side.shutdown(); // no new checks; the ones under way finish and count
            side.awaitTermination(10, TimeUnit.SECONDS);
            watching.cancel(null);
            String achieved = attack == null ? "—" : attack.stop();
            return new Window(label, achieved, serviceCpu, benchCpu, validateCount.get(), validateErrors.get(), validates.getIntervalHistogram(),
                    touchCount.get(), touchErrors.get(), logins.get(), loginErrors.get(), probes.getIntervalHistogram(),
                    probeCount.get(), probesLate.get(), newConnections.get(), newConnectionFailures.get(), subscriptions.get(),
                    subscriptionFailures.get(), events.get());
        }

        /** Validate (96%) and Touch (4%) started on a fixed schedule, latency from each call's intended start. */
        private void openLoop(double rate, Duration duration, Recorder validates, AtomicLong validateCount, AtomicLong validateErrors,
                              AtomicLong touchCount, AtomicLong touchErrors) throws InterruptedException {
            long interval = (long) (1e9 / rate);
            long total = (long) (rate * duration.toNanos() / 1e9);
            AtomicLong inFlight = new AtomicLong();
            long start = System.nanoTime();
            for (long i = 0; i < total; i++) {
                long intended = start + i * interval;
                long wait = intended - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (inFlight.get() > 10_000) {
                    validateCount.incrementAndGet();
                    validateErrors.incrementAndGet(); // so far behind that the call was never made: a failure, never a flattering gap
                    continue;
                }
                inFlight.incrementAndGet();
                if (ThreadLocalRandom.current().nextInt(100) < 4) {
                    touchCount.incrementAndGet();
                    Futures.addCallback(stub().touch(TouchRequest.newBuilder().setToken(token()).build()), new FutureCallback<Object>() {
                        @Override
                        public void onSuccess(Object result) {
                            inFlight.decrementAndGet();
                        }

                        @Override
                        public void onFailure(Throwable error) {
                            touchErrors.incrementAndGet();
                            inFlight.decrementAndGet();
                        }
                    }, MoreExecutors.directExecutor());
                } else {
                    validateCount.incrementAndGet();
                    Futures.addCallback(stub().validate(ValidateRequest.newBuilder().setToken(token()).build()), new FutureCallback<Object>() {
                        @Override
                        public void onSuccess(Object result) {
                            validates.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
                            inFlight.decrementAndGet();
                        }

                        @Override
                        public void onFailure(Throwable error) {
                            validates.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
                            validateErrors.incrementAndGet();
                            inFlight.decrementAndGet();
                        }
                    }, MoreExecutors.directExecutor());
                }
            }
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
                Thread.sleep(10);
            }
        }

        private static FutureCallback<Object> counting(AtomicLong errors) {
            return new FutureCallback<>() {
                @Override
                public void onSuccess(Object result) {
                }

                @Override
                public void onFailure(Throwable error) {
                    errors.incrementAndGet();
                }
            };
        }

        /** A kubelet's liveness probe: a new connection, one GET, 1 s to connect and 2 s to answer. Answers µs, or -1. */
        private long probe() {
            long start = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", management), 1_000);
                socket.setSoTimeout(2_000);
                socket.getOutputStream().write("GET /health/liveness HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                return status.equals("HTTP/1.1 200") ? (System.nanoTime() - start) / 1000 : -1;
            } catch (IOException failed) {
                return -1;
            }
        }

        @Override
        public void close() {
            channels.forEach(ManagedChannel::shutdownNow);
            loop.shutdownGracefully();
        }
    }
}
