package io.sessionauthority.bench;

import static io.sessionauthority.bench.Scenarios.PASSWORD;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.sessionauthority.v1.ClientMetadata;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.ListSessionsRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Issue 23's login lanes: the owner of an account, on a known device (a valid device token), logs
 * in while eighty bad-password logins are in flight, and fifty callers give up on their logins long
 * before their turn. Prints the owner's success rate and p99 against one bcrypt verification (the
 * median of the owner's logins on an idle service, measured first in the same run), and the sessions
 * created for callers that gave up, each target MET or MISSED.
 *
 * <pre>java -jar bench/target/session-authority-bench.jar logins [--duration 20s]</pre>
 */
final class LoginLanesBench {

    private LoginLanesBench() {
    }

    static String run(java.nio.file.Path jar, Duration duration) throws Exception {
        StringBuilder report = new StringBuilder();
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            // The flood is about load, not lockouts or quotas: thresholds it never reaches.
            int port = processes.service(jar, redis, List.of(
                    "-Dsession-authority.login-throttle.max-failures=1000000",
                    "-Dsession-authority.login-throttle.max-failures-per-user=1000000",
                    "-Dsession-authority.login-throttle.max-failures-per-user-per-day=1000000",
                    "-Dsession-authority.quotas.log-writes-per-second=1000000",
                    "-Dsession-authority.quotas.log-write-burst=1000000"));
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                var blocking = SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
                var async = SessionAuthorityServiceGrpc.newFutureStub(channel);
                blocking.createUser(CreateUserRequest.newBuilder().setUsername("owner").setPassword(PASSWORD).build());
                String impatientId = blocking.createUser(CreateUserRequest.newBuilder().setUsername("impatient").setPassword(PASSWORD)
                        .build()).getUserId();
                String[] device = {blocking.login(owner("")).getDeviceToken()};

                // One bcrypt verification: the owner's login on an idle service (its median).
                Histogram idle = new Histogram(60_000_000L, 3);
                for (int i = 0; i < 30; i++) {
                    long began = System.nanoTime();
                    device[0] = SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .login(owner(device[0])).getDeviceToken();
                    idle.recordValue((System.nanoTime() - began) / 1000);
                }
                double verification = idle.getValueAtPercentile(50) / 1000.0;

                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong guesses = new AtomicLong();
                Semaphore inFlight = new Semaphore(80);
                Thread flood = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                                continue;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                        guesses.incrementAndGet();
                        async.withDeadlineAfter(30, TimeUnit.SECONDS).login(LoginRequest.newBuilder().setUsername("owner")
                                        .setPassword("guess " + i).setClient(ClientMetadata.newBuilder().setIpAddress("203.0.113." + (i % 250)))
                                        .build())
                                .addListener(inFlight::release, Runnable::run);
                    }
                }, "guesses");
                flood.setDaemon(true);
                flood.start();
                Thread.sleep(2_000); // the pool fills

                // Fifty callers give up on their logins long before their turn.
                List<ListenableFuture<LoginResponse>> impatient = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    impatient.add(async.withDeadlineAfter(100, TimeUnit.MILLISECONDS).login(LoginRequest.newBuilder()
                            .setUsername("impatient").setPassword(PASSWORD).build()));
                }

                Histogram owner = new Histogram(60_000_000L, 3);
                int attempts = 0;
                int succeeded = 0;
                long end = System.nanoTime() + duration.toNanos();
                while (System.nanoTime() < end) {
                    attempts++;
                    long began = System.nanoTime();
                    try {
                        device[0] = SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                                .login(owner(device[0])).getDeviceToken();
                        succeeded++;
                    } catch (RuntimeException failed) {
                        // counted by the success rate
                    }
                    owner.recordValue((System.nanoTime() - began) / 1000);
                    Thread.sleep(200);
                }
                stop.set(true);
                flood.join(10_000);
                inFlight.tryAcquire(80, 60, TimeUnit.SECONDS); // every guess answered: every queued job ran or was dropped
                int orphans = SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .listSessions(ListSessionsRequest.newBuilder().setUserId(impatientId).build()).getSessionsCount();

                double rate = 100.0 * succeeded / attempts;
                double p99 = owner.getValueAtPercentile(99) / 1000.0;
                line(report, String.format(Locale.ROOT, "One bcrypt verification (the owner's login on an idle service, median of 30): %.1f ms",
                        verification));
                line(report, String.format(Locale.ROOT, "During %s with 80 bad-password logins in flight (%,d guesses sent): the owner on a"
                                + " known device logged in %d of %d times, p50 %.1f ms, p99 %.1f ms, max %.1f ms", duration, guesses.get(),
                        succeeded, attempts, owner.getValueAtPercentile(50) / 1000.0, p99, owner.getMaxValue() / 1000.0));
                line(report, "");
                line(report, "Targets (issue 23):");
                target(report, rate >= 99, String.format(Locale.ROOT, "the owner on a known device succeeds ≥ 99%%: %.1f%%", rate));
                target(report, p99 <= 2 * verification, String.format(Locale.ROOT,
                        "the owner's p99 ≤ 2 × one bcrypt verification (%.1f ms): %.1f ms, %.2f ×", 2 * verification, p99, p99 / verification));
                target(report, orphans == 0, "0 sessions created for the 50 callers that gave up: " + orphans);
            } finally {
                channel.shutdownNow();
            }
        }
        return report.toString();
    }

    private static LoginRequest owner(String deviceToken) {
        return LoginRequest.newBuilder().setUsername("owner").setPassword(PASSWORD).setDeviceToken(deviceToken)
                .setClient(ClientMetadata.newBuilder().setIpAddress("192.0.2.10")).build();
    }

    private static void target(StringBuilder report, boolean met, String text) {
        line(report, "- " + (met ? "MET" : "MISSED") + " — " + text);
    }

    private static void line(StringBuilder report, String text) {
        report.append(text).append('\n');
        System.out.println(text);
    }
}
