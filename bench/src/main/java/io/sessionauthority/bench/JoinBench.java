package io.sessionauthority.bench;

import static io.sessionauthority.bench.Scenarios.PASSWORD;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Issue 25's warm join: while a replica already in rotation serves {@code rate} calls a second, a
 * fresh one starts; once it reports SERVING (what a load balancer waits for) it takes Validate calls at once, at {@code rate} a second with the SDK's default 250 ms deadline, for
 * {@code window}. Counts the calls that miss their deadline, and the latency of the first second and
 * of the whole window, for fresh JVMs started with and without the warm-up, interleaved round by
 * round in one run so they share the machine's noise.
 *
 * <pre>java -jar bench/target/session-authority-bench.jar join [--rounds 3] [--rate 150] [--window 10s] [--warm-up-calls 1000]</pre>
 */
final class JoinBench {

    private static final long DEADLINE_MILLIS = 250;

    record Round(boolean warmUp, long calls, long deadlineExceeded, long otherErrors, Histogram firstSecond, Histogram all,
                 long startMillis) {
    }

    private JoinBench() {
    }

    static List<Round> run(Path jar, int rounds, double rate, Duration window, int warmUpCalls) throws Exception {
        List<Round> results = new ArrayList<>();
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            int first = processes.service(jar, redis, List.of("-Dsession-authority.login-throttle.enabled=false",
                    "-Dsession-authority.management.port=" + Processes.freePort()));
            List<String> tokens = tokens(first, 50);
            for (int round = 0; round < rounds; round++) {
                for (boolean warmUp : new boolean[] {false, true}) {
                    // The replica already in rotation keeps serving its share while the new one starts and joins.
                    Thread others = new Thread(() -> {
                        try {
                            drive(first, tokens, rate, window.plusSeconds(6), false, 0);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "load-on-the-other-replica");
                    others.start();
                    long started = System.nanoTime();
                    int port = processes.service(jar, redis, List.of("-Dsession-authority.health.warm-up-calls=" + (warmUp ? warmUpCalls : 0),
                            "-Dsession-authority.management.port=" + Processes.freePort()));
                    long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    results.add(drive(port, tokens, rate, window, warmUp, startMillis));
                    others.join();
                    processes.stopLast();
                    System.out.println(describe(results.get(results.size() - 1)));
                }
            }
        }
        return results;
    }

    static String describe(Round round) {
        return String.format(Locale.ROOT,
                "warm-up %-3s: start to SERVING %,d ms; %,d calls, %d past the %d ms deadline, %d other errors;"
                        + " first second p50 %.1f ms p99 %.1f ms max %.1f ms; whole window p99 %.1f ms max %.1f ms",
                round.warmUp() ? "on" : "off", round.startMillis(), round.calls(), round.deadlineExceeded(), DEADLINE_MILLIS,
                round.otherErrors(), millis(round.firstSecond(), 50), millis(round.firstSecond(), 99),
                round.firstSecond().getMaxValue() / 1000.0, millis(round.all(), 99), round.all().getMaxValue() / 1000.0);
    }

    private static double millis(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static List<String> tokens(int port, int count) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            var stub = SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            stub.createUser(CreateUserRequest.newBuilder().setUsername("joiner").setPassword(PASSWORD).build());
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                tokens.add(SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .login(LoginRequest.newBuilder().setUsername("joiner").setPassword(PASSWORD).build()).getToken());
            }
            return tokens;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** An open loop on a fresh channel: calls go out on schedule whether or not earlier ones answered. */
    private static Round drive(int port, List<String> tokens, double rate, Duration window, boolean warmUp, long startMillis)
            throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        Histogram firstSecond = new Histogram(60_000_000L, 3);
        Histogram all = new Histogram(60_000_000L, 3);
        AtomicLong deadline = new AtomicLong();
        AtomicLong other = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        long total = (long) (rate * window.toMillis() / 1000);
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        var stub = SessionAuthorityServiceGrpc.newFutureStub(channel);
        for (long i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String token = tokens.get(ThreadLocalRandom.current().nextInt(tokens.size()));
            ListenableFuture<?> call = stub.withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                    .validate(ValidateRequest.newBuilder().setToken(token).build());
            boolean inFirstSecond = intended - start < TimeUnit.SECONDS.toNanos(1);
            Futures.addCallback(call, new FutureCallback<Object>() {
                @Override
                public void onSuccess(Object result) {
                    record(intended, inFirstSecond);
                    answered.incrementAndGet();
                }

                @Override
                public void onFailure(Throwable error) {
                    record(intended, inFirstSecond);
                    if (Status.fromThrowable(error).getCode() == Status.Code.DEADLINE_EXCEEDED) {
                        deadline.incrementAndGet();
                    } else {
                        other.incrementAndGet();
                    }
                }

                private void record(long sent, boolean first) {
                    long micros = Math.max(1, (System.nanoTime() - sent) / 1000);
                    synchronized (all) {
                        all.recordValue(micros);
                        if (first) {
                            firstSecond.recordValue(micros);
                        }
                    }
                }
            }, MoreExecutors.directExecutor());
        }
        channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
        synchronized (all) {
            return new Round(warmUp, total, deadline.get(), other.get(), firstSecond.copy(), all.copy(), startMillis);
        }
    }
}
