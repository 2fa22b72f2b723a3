package io.sessionauthority.service;

import io.micronaut.runtime.Micronaut;
import io.netty.util.ResourceLeakDetector;
import io.sessionauthority.service.config.EnvironmentAliases;
import io.sessionauthority.service.jvm.IdleMemoryReturn;
import io.sessionauthority.service.logging.JulBridge;
import io.sessionauthority.service.logging.TraceIdsInLogs;
import io.sessionauthority.service.wiring.TracingFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts the service; SIGTERM shuts it down gracefully (see
 * {@link io.sessionauthority.service.health.GracefulShutdown}). It needs a Redis
 * ({@code REDIS_URI}, or {@code redis.uris} for a Cluster); the dev jar's
 * {@link io.sessionauthority.service.dev.DevApplication} starts a throw-away one for a quick try.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        if (!redisConfigured()) {
            System.err.println("REDIS_URI is not set: point the service at your Redis (REDIS_URI=redis://host:6379), "
                    + "or try it with a throw-away embedded Redis: java -jar service/target/session-authority-dev.jar");
            System.exit(2);
        }
        withoutBufferLeakSampling();
        IdleMemoryReturn.applyIfUnsized();
        run(args, Map.of());
    }

    /**
     * Netty tracks one buffer allocation in 128 for leaks, each with a captured stack trace: measured
     * with perf, 4% of the service's CPU on a hot Validate. The tests run in-process with Netty's
     * default, so a leak shows there; in production it is off unless {@code io.netty.leakDetection.level}
     * is given (or its older name, {@code io.netty.leakDetectionLevel}).
     */
    static void withoutBufferLeakSampling() {
        if (System.getProperty("io.netty.leakDetection.level") == null && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /** Starts the service with {@code extraProperties} on top of its configuration. */
    public static void run(String[] args, Map<String, Object> extraProperties) {
        if (TracingFactory.requested(System.getenv())) {
            // Only with tracing on: the wrapper runs at every context switch, a few per call.
            TraceIdsInLogs.install();
        }
        JulBridge.install();
        Map<String, Object> properties;
        try {
            properties = new HashMap<>(EnvironmentAliases.properties(System.getenv()));
        } catch (IllegalArgumentException misconfigured) {
            System.err.println(misconfigured.getMessage()); // one line an operator can act on, not a stack trace
            System.exit(2);
            return;
        }
        properties.putAll(extraProperties);
        Micronaut.build(args)
                .mainClass(Application.class)
                .properties(properties)
                .banner(false)
                // No probing for cloud platforms at startup: the environment is what the configuration says.
                .deduceEnvironment(false)
                .deduceCloudEnvironment(false)
                .start();
    }

    private static boolean redisConfigured() {
        return isSet(System.getenv("REDIS_URI")) || isSet(System.getProperty("redis.uri"))
                || isSet(System.getenv("REDIS_URIS")) || isSet(System.getProperty("redis.uris"))
                || isSet(System.getProperty("micronaut.config.files")) || isSet(System.getenv("MICRONAUT_CONFIG_FILES"));
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
