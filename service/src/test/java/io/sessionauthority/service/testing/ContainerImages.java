package io.sessionauthority.service.testing;

import java.util.Optional;
import org.testcontainers.DockerClientFactory;

/**
 * The images container tests run, and whether they can run here at all. They run where a Docker
 * engine answers and the images are named: {@code SESSION_AUTHORITY_OS_IMAGE} and
 * {@code SESSION_AUTHORITY_JDK_IMAGE} (the service image's OS, and the JDK its Java runtime is made
 * from with jlink), {@code SESSION_AUTHORITY_BASE_IMAGE} (a JRE 17 image, for an application beside
 * the authority) and {@code SESSION_AUTHORITY_REDIS_IMAGE} (an image with {@code redis-server}).
 * {@code .ci/run} makes them from Debian's packages; with a registry, {@code debian:bookworm-slim},
 * {@code eclipse-temurin:17-jdk}, {@code eclipse-temurin:17-jre} and {@code redis:7} do. Elsewhere
 * the tests are skipped with the reason.
 */
public final class ContainerImages {

    private ContainerImages() {
    }

    public static Optional<String> baseImage() {
        return named("SESSION_AUTHORITY_BASE_IMAGE");
    }

    public static Optional<String> redisImage() {
        return named("SESSION_AUTHORITY_REDIS_IMAGE");
    }

    /** Why container tests cannot run here; empty when they can. */
    public static Optional<String> whyNot(String variable) {
        if (named(variable).isEmpty()) {
            return Optional.of(variable + " is not set (.ci/run sets it where a Docker engine runs)");
        }
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                return Optional.of("no Docker engine answers");
            }
        } catch (RuntimeException e) {
            return Optional.of("no Docker engine answers: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Says why container tests are skipped, in the test's output (an assumption's message is not reported). */
    public static boolean canRun(String variable, String what) {
        Optional<String> whyNot = whyNot(variable);
        whyNot.ifPresent(reason -> System.out.println(what + " skipped: " + reason));
        return whyNot.isEmpty();
    }

    private static Optional<String> named(String variable) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }
}
