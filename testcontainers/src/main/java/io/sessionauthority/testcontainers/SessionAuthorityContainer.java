package io.sessionauthority.testcontainers;

import io.sessionauthority.client.SessionAuthorityClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Session Authority for a test: the authority's image and a Redis beside it, started together, and
 * ready when {@link #start()} returns — ready as the authority's own readiness says (it has reached
 * Redis and can answer), not when a health-check interval next comes round.
 *
 * <pre>{@code
 * try (SessionAuthorityContainer authority = new SessionAuthorityContainer("session-authority:0.1.0", "redis:7")) {
 *     authority.start();
 *     try (SessionAuthorityClient client = authority.client()) {
 *         client.createUser("alice", "correct horse battery staple");
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>By default both containers share a network of their own and the authority's ports are mapped
 * to the host. {@link #withHostNetwork()} runs both on the host's network instead, on free ports,
 * for Docker engines that allow no bridge networks. The authority accepts unauthenticated callers
 * (it is a test's); it runs without its warm-up, so it is ready about two seconds sooner;
 * {@code withEnv} changes any setting (docs/OPERATING.md lists them).
 */
public class SessionAuthorityContainer extends GenericContainer<SessionAuthorityContainer> {

    /** The authority's gRPC port inside its container. */
    public static final int GRPC_PORT = 50051;
    /** The authority's management port (health, metrics) inside its container. */
    public static final int MANAGEMENT_PORT = 9090;

    private static final Duration READY_WITHIN = Duration.ofSeconds(90);

    private final GenericContainer<?> redis;
    /** The two containers' own network; made when they start, removed when they stop. */
    private final Network network = Network.newNetwork();
    private boolean hostNetwork;
    private int hostGrpcPort;
    private int hostManagementPort;

    /**
     * @param image      the authority's image, e.g. {@code session-authority:0.1.0}
     * @param redisImage an image with {@code redis-server}, e.g. {@code redis:7}
     */
    public SessionAuthorityContainer(String image, String redisImage) {
        this(DockerImageName.parse(image), DockerImageName.parse(redisImage));
    }

    public SessionAuthorityContainer(DockerImageName image, DockerImageName redisImage) {
        super(Objects.requireNonNull(image, "image"));
        this.redis = new GenericContainer<>(Objects.requireNonNull(redisImage, "redisImage"))
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
        redis.withNetwork(network).withNetworkAliases("redis").withCommand("redis-server", "--save", "", "--appendonly", "no");
        withNetwork(network);
        withExposedPorts(GRPC_PORT, MANAGEMENT_PORT);
        withEnv("REDIS_URI", "redis://redis:6379");
        withEnv("GRPC_SERVER_HOST", "0.0.0.0");
        withEnv("SESSION_AUTHORITY_SECURITY_ALLOW_UNAUTHENTICATED_CALLERS", "true");
        withEnv("SESSION_AUTHORITY_HEALTH_WARM_UP_CALLS", "0");
        withEnv("SHUTDOWN_DRAIN_DELAY", "0s");
        dependsOn(redis);
        waitingFor(new Readiness());
    }

    /**
     * Runs the authority and Redis on the host's network, each on a free port of the host's
     * loopback, for engines that allow no bridge networks.
     */
    public SessionAuthorityContainer withHostNetwork() {
        hostNetwork = true;
        int redisPort = freePort();
        hostGrpcPort = freePort();
        hostManagementPort = freePort();
        redis.setNetwork(null);
        redis.setNetworkAliases(new ArrayList<>());
        redis.withNetworkMode("host")
                .withCommand("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
        setNetwork(null);
        setExposedPorts(List.of());
        withNetworkMode("host");
        withEnv("REDIS_URI", "redis://127.0.0.1:" + redisPort);
        withEnv("GRPC_SERVER_HOST", "127.0.0.1");
        withEnv("GRPC_SERVER_PORT", Integer.toString(hostGrpcPort));
        withEnv("MANAGEMENT_PORT", Integer.toString(hostManagementPort));
        return self();
    }

    /** Where a client reaches the authority's gRPC port: {@code host:port}. */
    public String grpcTarget() {
        return hostNetwork ? "127.0.0.1:" + hostGrpcPort : getHost() + ":" + getMappedPort(GRPC_PORT);
    }

    /** The authority's management HTTP server: {@code /health/readiness}, {@code /prometheus}, … */
    public URI managementUri() {
        return URI.create(hostNetwork ? "http://127.0.0.1:" + hostManagementPort
                : "http://" + getHost() + ":" + getMappedPort(MANAGEMENT_PORT));
    }

    /**
     * A client of this authority, connected (plaintext); close it when done. Each call makes a new
     * one, as separate services would have.
     */
    public SessionAuthorityClient client() {
        SessionAuthorityClient client = SessionAuthorityClient.builder(grpcTarget()).plaintext().build();
        try {
            client.awaitReady(Duration.ofSeconds(30));
            return client;
        } catch (RuntimeException notReady) {
            client.close();
            throw notReady;
        }
    }

    /** The Redis container: stop or pause it to test how your service behaves when the store is gone. */
    public GenericContainer<?> redis() {
        return redis;
    }

    @Override
    public void stop() {
        super.stop();
        redis.stop();
        network.close();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the authority's containers", e);
        }
    }

    /** Ready when the authority's readiness answers 200: it reached Redis and serves gRPC. */
    private final class Readiness extends AbstractWaitStrategy {

        @Override
        protected void waitUntilReady() {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + READY_WITHIN.toNanos();
            String last = "no answer yet";
            while (System.nanoTime() < deadline) {
                if (!isRunning()) {
                    throw new ContainerLaunchException("Session Authority exited while starting:\n" + getLogs());
                }
                try {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(managementUri().resolve("/health/readiness"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() == 200) {
                        return;
                    }
                    last = answer.statusCode() + " " + answer.body();
                } catch (IOException notYet) {
                    last = notYet.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ContainerLaunchException("interrupted while waiting for Session Authority", e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ContainerLaunchException("interrupted while waiting for Session Authority", e);
                }
            }
            throw new ContainerLaunchException("Session Authority was not ready within " + READY_WITHIN + " (last: " + last + ")");
        }
    }
}
