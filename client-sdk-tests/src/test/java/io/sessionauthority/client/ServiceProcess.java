package io.sessionauthority.client;

import io.sessionauthority.service.testing.RedisServerProcess;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The service as a real process: the runnable jar started the way the container starts it, so a
 * test can kill -9 it or SIGTERM it as an orchestrator would.
 */
record ServiceProcess(Process process, int managementPort) {

    private static final Path JAR = Path.of("..", "service", "target", "session-authority.jar");
    private static final Path ENTRYPOINT = Path.of("..", "docker", "entrypoint.sh");

    /** Starts a replica on {@code port}, logging to {@code target/replica-<name>.log}. */
    static ServiceProcess start(RedisServerProcess redis, int port, String name) throws IOException {
        int management = RedisServerProcess.freePort();
        ProcessBuilder builder = new ProcessBuilder("sh", ENTRYPOINT.toString()).redirectErrorStream(true)
                .redirectOutput(new File("target/replica-" + name + ".log"));
        builder.environment().put("APP_JAR", JAR.toString());
        builder.environment().put("REDIS_URI", redis.uri());
        builder.environment().put("GRPC_SERVER_PORT", Integer.toString(port));
        builder.environment().put("MANAGEMENT_PORT", Integer.toString(management));
        builder.environment().put("SHUTDOWN_DRAIN_DELAY", "1s");
        builder.environment().put("JAVA_OPTS", "-Xmx256m");
        ServiceProcess replica = new ServiceProcess(builder.start(), management);
        replica.awaitReady();
        return replica;
    }

    /**
     * Until readiness says 200, as a load balancer waits: the replica has reached Redis and warmed up
     * by calling itself, which takes both cores for a moment (a login sent meanwhile could miss the
     * SDK's hashing deadline while bcrypt runs at idle priority).
     */
    private void awaitReady() {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI readiness = java.net.URI.create("http://127.0.0.1:" + managementPort + "/health/readiness");
        io.sessionauthority.service.testing.Await.until("the replica ready (management port " + managementPort + ")",
                java.time.Duration.ofSeconds(60), java.time.Duration.ofMillis(100), () -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the replica exited with " + process.exitValue());
                    }
                    try {
                        return http.send(java.net.http.HttpRequest.newBuilder(readiness).build(),
                                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (IOException notYet) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                });
    }

    /** kill -9, and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
