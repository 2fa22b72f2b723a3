package io.sessionauthority.service;

import io.micronaut.runtime.Micronaut;
import io.sessionauthority.service.logging.JulBridge;
import io.sessionauthority.service.config.EnvironmentAliases;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts the service. Without a configured Redis it starts a throw-away one (see {@link EmbeddedRedis});
 * SIGTERM shuts it down gracefully (see {@link io.sessionauthority.service.health.GracefulShutdown}).
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        // Before anything logs: LOG_FORMAT=json switches to one JSON object per line.
        if ("json".equalsIgnoreCase(System.getenv("LOG_FORMAT")) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
        JulBridge.install();
        Map<String, Object> properties = new HashMap<>(EnvironmentAliases.properties(System.getenv()));
        EmbeddedRedis.startIfNotConfigured().ifPresent(uri -> properties.put("redis.uri", uri));
        Micronaut.build(args)
                .mainClass(Application.class)
                .properties(properties)
                .banner(false)
                .start();
    }
}
