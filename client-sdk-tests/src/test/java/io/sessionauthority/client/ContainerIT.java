package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sessionauthority.service.testing.ContainerImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The service's real image, built and run (where a Docker engine runs; skipped with the reason
 * elsewhere): {@code docker/image.sh} builds it from this build's jars on the named base image,
 * {@code docker/container-test.sh} runs it as a user would (healthy, gRPC from the host, non-root,
 * drained on {@code docker stop}, exit 0) and prints its figures (start-up and RSS beside the image
 * as it was, {@code docker/baseline.Dockerfile}, when SESSION_AUTHORITY_BASE_IMAGE names a JRE), and a
 * pod is formed as Kubernetes would: Redis, the authority and an application in three containers sharing one network namespace,
 * the application using the authority as a sidecar on localhost.
 */
@Tag("process")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String IMAGE = "session-authority:it";

    @BeforeAll
    void buildImage() throws Exception {
        Optional<String> whyNot = ContainerImages.whyNot("SESSION_AUTHORITY_BASE_IMAGE")
                .or(() -> ContainerImages.whyNot("SESSION_AUTHORITY_OS_IMAGE"))
                .or(() -> ContainerImages.whyNot("SESSION_AUTHORITY_JDK_IMAGE"))
                .or(() -> ContainerImages.whyNot("SESSION_AUTHORITY_REDIS_IMAGE"));
        assumeTrue(whyNot.isEmpty(), () -> "container tests skipped: " + whyNot.orElse(""));
        Process build = new ProcessBuilder(ROOT.resolve("docker/image.sh").toString(), IMAGE)
                .directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(Path.of("target", "image-build.log").toFile()).start();
        assertThat(build.waitFor(15, TimeUnit.MINUTES)).isTrue();
        assertThat(build.exitValue()).as(Files.readString(Path.of("target", "image-build.log"))).isZero();
    }

    @Test
    void theImageRunsAsAUserWouldRunIt() throws Exception {
        Path log = Path.of("target", "container-test.log");
        Process test = new ProcessBuilder(ROOT.resolve("docker/container-test.sh").toString(), IMAGE)
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(test.waitFor(12, TimeUnit.MINUTES)).isTrue(); // the baseline comparison: ten starts
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(test.exitValue()).as(output).isZero();
        assertThat(output).contains("container test passed");
    }

    @Test
    void theAuthorityServesAnApplicationAsASidecarInItsPod() throws Exception {
        try (GenericContainer<?> redis = new GenericContainer<>(DockerImageName.parse(ContainerImages.redisImage().orElseThrow()))
                .withNetworkMode("none")
                .withCommand("redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1))) {
            redis.start();
            String pod = "container:" + redis.getContainerId();
            try (GenericContainer<?> authority = new GenericContainer<>(DockerImageName.parse(IMAGE))
                    .withNetworkMode(pod)
                    .withEnv("REDIS_URI", "redis://127.0.0.1:6379")
                    .withEnv("GRPC_SERVER_HOST", "127.0.0.1")
                    .waitingFor(Wait.forLogMessage(".*Startup completed.*", 1));
                 GenericContainer<?> application = new GenericContainer<>(DockerImageName.parse(ContainerImages.baseImage().orElseThrow()))
                    .withNetworkMode(pod)
                    .withCommand(applicationCommand())
                    .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(java.time.Duration.ofMinutes(2)))) {
                authority.start();
                for (String entry : classpath()) {
                    application.withFileSystemBind(entry, entry, BindMode.READ_ONLY);
                }
                application.start(); // one shot: start() returns once it exited 0, and fails otherwise
                assertThat(application.getLogs()).contains("sidecar: valid=true, after logout REVOKED");
            }
        }
    }

    private String[] applicationCommand() throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-cp", String.join(":", classpath()), PodApp.class.getName()));
        return command.toArray(String[]::new);
    }

    /** This test's classpath, entry by entry (surefire hands it over in a manifest-only jar). */
    private static Set<String> classpath() throws IOException {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            if (path.getFileName().toString().startsWith("surefirebooter") && entry.endsWith(".jar")) {
                try (JarFile booter = new JarFile(path.toFile())) {
                    for (String reference : booter.getManifest().getMainAttributes().getValue("Class-Path").split(" ")) {
                        entries.add(Path.of(java.net.URI.create(reference)).toString());
                    }
                }
            } else {
                entries.add(path.toString());
            }
        }
        entries.removeIf(entry -> !Files.exists(Path.of(entry)));
        return entries;
    }
}
