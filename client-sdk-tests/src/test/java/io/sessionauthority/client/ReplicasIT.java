package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.netty.NettyChannelBuilder;
import io.sessionauthority.service.testing.RedisServerProcess;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import io.sessionauthority.service.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two service processes (the runnable jar, started as the container starts it) on one Redis, behind
 * the SDK's round robin: a session created through one validates through the other; kill -9 of one
 * under load moves the calls to the other; a rolling restart with SIGTERM fails no call.
 */
@Tag("process")
class ReplicasIT {

    @Test
    void replicasShareSessionsSurviveAKillAndRollWithoutFailingACall() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            int portA = RedisServerProcess.freePort();
            int portB = RedisServerProcess.freePort();
            ServiceProcess a = ServiceProcess.start(redis, portA, "a");
            ServiceProcess b = ServiceProcess.start(redis, portB, "b");
            ManagedChannel channel = NettyChannelBuilder.forTarget("replicas:///both")
                    .nameResolverFactory(new TwoAddresses(portA, portB))
                    .defaultServiceConfig(SessionAuthorityClient.Builder.serviceConfig(3))
                    .enableRetry().usePlaintext().build();
            try (SessionAuthorityClient client = SessionAuthorityClient.builder("replicas:///both").channel(channel)
                    .deadline(Duration.ofSeconds(2)).hashingDeadline(Duration.ofSeconds(30)).build()) {
                // Ready: warmed up (each replica calls itself before it reports SERVING, and two warming
                // JVMs leave an idle-priority bcrypt little CPU).
                double aAtReady = awaitReady(a);
                double bAtReady = awaitReady(b);
                awaitUp(client);
                client.createUser("alice", "correct horse battery");
                LoginResult login = client.login("alice", "correct horse battery", ClientInfo.none());
                // Round robin: consecutive calls land on both replicas; every one sees the session.
                for (int i = 0; i < 20; i++) {
                    assertThat(client.validate(login.token()).isValid()).isTrue();
                }

                awaitTakingCalls(a, aAtReady);
                awaitTakingCalls(b, bAtReady); // round robin really spreads over both
                Load load = new Load(client, login.token());
                load.start();
                Await.until("the load running", Duration.ofSeconds(30), () -> load.successes.get() > 50);
                a.process().destroyForcibly(); // kill -9
                a.process().waitFor(10, TimeUnit.SECONDS);
                long atKill = load.successes.get();
                Await.until("calls moved to the surviving replica", Duration.ofSeconds(30), () -> load.successes.get() > atKill + 200);
                long afterKill = load.failures.get();
                // Calls on the killed connection fail UNAVAILABLE and are retried (3 attempts) on the other.
                assertThat(afterKill).as("calls failed around the kill -9").isZero();

                // Rolling restart: bring a back, then SIGTERM b, then restart b — no call may fail.
                a = ServiceProcess.start(redis, portA, "a2");
                awaitTakingCalls(a, awaitReady(a)); // the client reconnects on its own backoff schedule
                long before = load.failures.get();
                b.process().destroy(); // SIGTERM: NOT_SERVING, drain delay, GOAWAY, in-flight calls finish, exit 0
                assertThat(b.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(b.process().exitValue()).isZero();
                b = ServiceProcess.start(redis, portB, "b2");
                awaitTakingCalls(b, awaitReady(b));
                long atRestart = load.successes.get();
                Await.until("calls go on after the restart", Duration.ofSeconds(30), () -> load.successes.get() > atRestart + 200);
                long rollingFailures = load.failures.get() - before;
                load.finish();
                assertThat(load.unexpected).as("the load thread never died of an unexpected error").isNull();

                System.out.printf("replicas: %d calls, %d failed around the kill -9, %d failed during the rolling restart%n",
                        load.successes.get() + load.failures.get(), afterKill, rollingFailures);
                assertThat(rollingFailures).as("a rolling restart fails no call").isZero();
            } finally {
                channel.shutdownNow();
                a.process().destroyForcibly();
                b.process().destroyForcibly();
            }
        }
    }

    /**
     * Until the replica has answered more Validate calls than {@code atReady} (its own metrics say
     * so): counted from its readiness on, since a replica warms up by calling itself first.
     */
    static void awaitTakingCalls(ServiceProcess replica, double atReady) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        // As a scraper would: the management port allows an address a scrape a second and caches it a second.
        Await.until("replica on management port " + replica.managementPort() + " answering Validate calls", Duration.ofSeconds(60),
                Duration.ofMillis(1100), () -> validates(http, "http://127.0.0.1:" + replica.managementPort() + "/prometheus") > atReady);
    }

    /** Until the replica's readiness says 200 (it reached Redis and warmed up); answers its Validate count then. */
    static double awaitReady(ServiceProcess replica) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + replica.managementPort();
        Await.until("replica on management port " + replica.managementPort() + " ready", Duration.ofSeconds(60),
                Duration.ofMillis(200), () -> status(http, base + "/health/readiness") == 200);
        double[] atReady = {-1};
        Await.until("a scrape of the replica on management port " + replica.managementPort(), Duration.ofSeconds(30),
                Duration.ofMillis(1100), () -> (atReady[0] = validates(http, base + "/prometheus")) >= 0);
        return atReady[0];
    }

    private static int status(java.net.http.HttpClient http, String uri) {
        try {
            return http.send(java.net.http.HttpRequest.newBuilder(URI.create(uri)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException notYet) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Validate calls answered so far, or -1 when the scrape was refused or failed (asked again). */
    private static double validates(java.net.http.HttpClient http, String uri) {
        try {
            var answer = http.send(java.net.http.HttpRequest.newBuilder(URI.create(uri)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                return -1;
            }
            return answer.body().lines().filter(line -> line.startsWith("grpc_server_processing_duration_seconds_count{method=\"Validate\""))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        } catch (java.io.IOException notYet) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void awaitUp(SessionAuthorityClient client) throws InterruptedException {
        awaitServing(client, 1);
    }

    /** Until {@code successes} validations in a row succeed (both replicas up and connected). */
    private static void awaitServing(SessionAuthorityClient client, int successes) {
        int[] inRow = {0};
        Await.until("the replicas answering", Duration.ofSeconds(60), () -> {
            try {
                client.validate("sat1_" + "A".repeat(64));
                inRow[0]++;
            } catch (SessionAuthorityException notYet) {
                inRow[0] = 0;
            }
            return inRow[0] >= successes;
        });
    }

    /** A steady Validate load on one thread. */
    private static final class Load extends Thread {
        final AtomicLong successes = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final SessionAuthorityClient client;
        private final String token;
        volatile Throwable unexpected;

        Load(SessionAuthorityClient client, String token) {
            this.client = client;
            this.token = token;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (running.get()) {
                    try {
                        if (client.validate(token).isValid()) {
                            successes.incrementAndGet();
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (SessionAuthorityException e) {
                        failures.incrementAndGet();
                    }
                }
            } catch (Throwable e) {
                unexpected = e; // a load that died would make "no call failed" vacuous
            }
        }

        void finish() throws InterruptedException {
            running.set(false);
            join(5000);
        }
    }

    /** A static two-address name resolver: what DNS or a service registry gives in production. */
    private static final class TwoAddresses extends NameResolverProvider {
        private final List<SocketAddress> addresses;

        TwoAddresses(int portA, int portB) {
            this.addresses = List.of(new InetSocketAddress("127.0.0.1", portA), new InetSocketAddress("127.0.0.1", portB));
        }

        @Override
        public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
            return new NameResolver() {
                @Override
                public String getServiceAuthority() {
                    return "replicas";
                }

                @Override
                public void start(Listener2 listener) {
                    listener.onResult(ResolutionResult.newBuilder()
                            .setAddresses(addresses.stream().map(EquivalentAddressGroup::new).toList())
                            .build());
                }

                @Override
                public void shutdown() {
                }
            };
        }

        @Override
        protected boolean isAvailable() {
            return true;
        }

        @Override
        protected int priority() {
            return 5;
        }

        @Override
        public String getDefaultScheme() {
            return "replicas";
        }
    }
}
