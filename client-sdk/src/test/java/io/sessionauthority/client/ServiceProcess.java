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
        return new ServiceProcess(builder.start(), management);
    }

    /** kill -9, and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
