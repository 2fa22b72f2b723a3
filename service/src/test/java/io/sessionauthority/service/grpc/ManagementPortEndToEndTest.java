package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.sessionauthority.service.management.ManagementServer;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The management port as an attacker on the network meets it: where it listens, what it reveals,
 * and whether slow clients holding connections there can starve the gRPC port.
 */
@Tag("end-to-end")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementPortEndToEndTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RedisServerProcess redis;
    private ApplicationContext context;
    private ManagementServer management;
    private ManagedChannel channel;

    @BeforeAll
    void start() {
        redis = RedisServerProcess.start();
        Map<String, Object> properties = new HashMap<>();
        properties.put("redis.uri", redis.uri());
        properties.put("grpc.server.host", "127.0.0.2"); // loopback too, but not the default: the management port follows it
        properties.put("session-authority.management.max-connections", 16);
        properties.put("session-authority.management.max-connections-per-address", 4);
        // The tests' own probes and scrapes come fast from one address: rates that never refuse them
        // (the rates themselves are held by ConnectionAdmissionTest and ManagementRoutesTest).
        properties.put("session-authority.management.new-connections-per-second-per-address", 10_000);
        properties.put("session-authority.management.new-connection-burst-per-address", 10_000);
        properties.put("session-authority.management.requests-per-second-per-address", 10_000);
        properties.put("session-authority.management.request-burst-per-address", 10_000);
        properties.put("session-authority.management.scrapes-per-second-per-address", 10_000);
        properties.put("session-authority.management.scrape-burst-per-address", 10_000);
        properties.put("session-authority.management.header-timeout", "1s");
        context = ApplicationContext.run(properties, "test");
        management = context.getBean(ManagementServer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.2", context.getBean(GrpcEmbeddedServer.class).getPort())
                .usePlaintext().build();
    }

    @AfterAll
    void stop() {
        channel.shutdownNow();
        context.close();
        redis.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://" + management.host() + ":" + management.port() + path);
    }

    @Test
    void listensWhereGrpcListensByDefault() {
        assertThat(management.host()).isEqualTo("127.0.0.2");
    }

    @Test
    void revealsNoDetailsAndServesOnlyTheDocumentedEndpoints() throws Exception {
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP").doesNotContain("details").doesNotContain("diskSpace")
                .doesNotContain(Integer.toString(redis.port()));
        assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
        assertThat(get("/health/readiness").statusCode()).isEqualTo(200);
        for (String undocumented : List.of("/metrics", "/beans", "/env", "/loggers", "/info", "/routes", "/threaddump", "/refresh")) {
            assertThat(get(undocumented).statusCode()).as(undocumented).isEqualTo(404);
        }
        // Make Lettuce record a command, then check that no label carries Redis' address.
        SessionAuthorityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build());
        HttpResponse<String> scrape = get("/prometheus");
        assertThat(scrape.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        String metrics = scrape.body();
        assertThat(metrics).contains("lettuce_command_completion_seconds")
                .doesNotContain("remote=").doesNotContain(":" + redis.port());
    }

    @Test
    void answersHeadAndRefusesWrites() throws Exception {
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(uri("/health/readiness"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/health"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
    }

    @Test
    void aRequestBodyIsNeverWaitedFor() throws Exception {
        // A body announced and then trickled (or never sent) must not hold the connection past the header deadline.
        try (Socket socket = new Socket(management.host(), management.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 8000\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 405").contains("connection: close");
        }
    }

    @Test
    void aClientThatNeverReadsItsAnswersIsCutOffWhileGrpcKeepsAnswering() throws Exception {
        try (Socket socket = new Socket(management.host(), management.port())) {
            socket.setSoTimeout(20_000);
            byte[] scrape = "GET /prometheus HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            OutputStream out = socket.getOutputStream();
            try {
                for (int i = 0; i < 2_000; i++) {
                    out.write(scrape);
                }
                out.flush();
            } catch (java.net.SocketException closedWhileWriting) {
                // already cut off
            }
            // Not reading, the client is cut off once its unread answers pass the write buffer mark
            // (the header deadline never fires: each request arrives in time).
            Await.until("the client that never reads cut off", Duration.ofSeconds(20), () -> management.openConnections() == 0);
            var stub = SessionAuthorityServiceGrpc.newBlockingStub(channel);
            assertThat(stub.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build()).getValid()).isFalse();
            assertThat(readsEndOfStream(socket)).isTrue();
        }
        assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
    }

    @Test
    void slowClientsAreCappedAndCutOffWhileGrpcKeepsAnswering() throws Exception {
        ManagementServer limits = management;
        List<Socket> slow = new ArrayList<>();
        try {
            // Far more slow clients than the cap, each sending half a request and then nothing.
            for (int i = 0; i < 200; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress(management.host(), management.port()), 2000);
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                slow.add(socket);
            }
            assertThat(limits.openConnections()).isLessThanOrEqualTo(16);
            var stub = SessionAuthorityServiceGrpc.newBlockingStub(channel);
            for (int i = 0; i < 20; i++) {
                assertThat(stub.withDeadlineAfter(2, TimeUnit.SECONDS)
                        .validate(ValidateRequest.newBuilder().setToken("sat1_" + "A".repeat(64)).build()).getValid()).isFalse();
            }
            // Every one of them is closed: the extra ones at once, the admitted ones at the header timeout.
            for (Socket socket : slow) {
                assertThat(readsEndOfStream(socket)).isTrue();
            }
            Await.until("every management connection closed", Duration.ofSeconds(10), () -> limits.openConnections() == 0);
            // And the port serves a well-behaved client again.
            assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    /**
     * Probes answer while a scrape is being made: here a meter that takes two seconds to read makes
     * the scrape slow, and liveness must come back before it (it waited behind the scrape when both
     * were made on the port's one thread).
     */
    @Test
    void probesAnswerWhileAScrapeIsBeingMade() throws Exception {
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        java.util.concurrent.CountDownLatch scraping = new java.util.concurrent.CountDownLatch(1);
        Gauge slow = Gauge.builder("test.slow.meter", () -> {
            scraping.countDown();
            sleep(2_000);
            return 1;
        }).register(registry);
        try {
            var scrape = http.sendAsync(HttpRequest.newBuilder(uri("/prometheus")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scraping.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 3; i++) {
                assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
                assertThat(get("/health/readiness").statusCode()).isEqualTo(200);
            }
            assertThat(scrape).as("liveness answered while the scrape was still being made").isNotDone();
            assertThat(scrape.get(30, TimeUnit.SECONDS).body()).contains("test_slow_meter");
        } finally {
            registry.remove(slow);
        }
    }

    /**
     * Sixteen scrapers on keep-alive connections, each scraping as fast as it can: they share scrapes
     * (each was made on the port's thread, once per request, and kept liveness from answering for
     * seconds), and probes keep answering.
     */
    @Test
    void manyScrapersShareScrapesAndProbesKeepAnswering() throws Exception {
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        java.util.concurrent.atomic.AtomicLong made = new java.util.concurrent.atomic.AtomicLong();
        Gauge counting = Gauge.builder("test.scrapes.made", made, java.util.concurrent.atomic.AtomicLong::incrementAndGet).register(registry);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> scrapers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int n = i;
            scrapers.add(daemon(() -> {
                try (Socket socket = new Socket()) {
                    socket.bind(new InetSocketAddress("127.0.0." + (10 + n), 0)); // each scraper its own address
                    socket.connect(new InetSocketAddress(management.host(), management.port()), 2000);
                    socket.setSoTimeout(10_000);
                    var in = new java.io.BufferedInputStream(socket.getInputStream());
                    while (!stop.get()) {
                        socket.getOutputStream().write("GET /prometheus HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        readOneAnswer(in);
                        served.incrementAndGet();
                    }
                } catch (Exception ignored) {
                    // cut off: counted by the scrapes it was served
                }
            }));
        }
        try {
            Await.until("scrapers running", Duration.ofSeconds(30), () -> served.get() > 200);
            for (int i = 0; i < 20; i++) {
                assertThat(probe("/health/liveness")).as("probe %d", i).isEqualTo(200);
            }
        } finally {
            stop.set(true);
            for (Thread scraper : scrapers) {
                scraper.join(15_000);
            }
            registry.remove(counting);
        }
        assertThat(made.get()).as("scrapes made for %d served", served.get()).isLessThan(served.get() / 4);
    }

    /**
     * Slow clients from one address (each sending half a request, then nothing, and reconnecting when
     * cut off) and reconnecting idle sockets from another take every slot they can; a probe from a
     * third address gets in every time, at its first attempt.
     */
    @Test
    void slowAndReconnectingSocketsCannotLockAProbeOut() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread slowloris = daemon(() -> holdSockets("127.0.0.3", 40, "GET /health HTTP/1.1\r\nHost: x\r\n", stop));
        Thread reconnecting = daemon(() -> holdSockets("127.0.0.4", 30, "", stop));
        try {
            Await.until("the port crowded", Duration.ofSeconds(10), () -> management.openConnections() >= 8);
            for (int i = 0; i < 30; i++) {
                assertThat(probe("/health/liveness")).as("probe %d", i).isEqualTo(200);
            }
            assertThat(management.openConnections()).isLessThanOrEqualTo(16);
        } finally {
            stop.set(true);
            slowloris.join(10_000);
            reconnecting.join(10_000);
        }
    }

    /** Keeps {@code count} sockets from {@code address} open, each having sent {@code opening}; replaces the closed, the oldest first. */
    private void holdSockets(String address, int count, String opening, java.util.concurrent.atomic.AtomicBoolean stop) {
        java.util.ArrayDeque<Socket> held = new java.util.ArrayDeque<>();
        while (!stop.get()) {
            try {
                Socket socket = new Socket();
                socket.bind(new InetSocketAddress(address, 0));
                socket.connect(new InetSocketAddress(management.host(), management.port()), 2000);
                socket.getOutputStream().write(opening.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                held.add(socket);
                if (held.size() > count) {
                    held.poll().close();
                }
            } catch (Exception ignored) {
                // refused or reset: try again
            }
        }
        for (Socket socket : held) {
            try {
                socket.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    /** One probe as a kubelet makes it: a new connection, one GET, no retry. Answers the status, or -1. */
    private int probe(String path) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(management.host(), management.port()), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : -1;
        } catch (java.io.IOException failed) {
            return -1;
        }
    }

    private static void readOneAnswer(java.io.BufferedInputStream in) throws java.io.IOException {
        StringBuilder headers = new StringBuilder();
        while (!headers.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException();
            }
            headers.append((char) b);
        }
        var length = java.util.regex.Pattern.compile("content-length: (\\d+)", java.util.regex.Pattern.CASE_INSENSITIVE)
                .matcher(headers);
        if (length.find()) {
            in.readNBytes(Integer.parseInt(length.group(1)));
        }
    }

    private static Thread daemon(Runnable body) {
        Thread thread = new Thread(body);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean readsEndOfStream(Socket socket) throws Exception {
        InputStream in = socket.getInputStream();
        try {
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }
}
