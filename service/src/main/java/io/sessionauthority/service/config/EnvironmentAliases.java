package io.sessionauthority.service.config;

import java.util.HashMap;
import java.util.Map;

/**
 * Short environment variable names for the settings operators change most, on top of Micronaut's own
 * mapping ({@code SESSION_AUTHORITY_SESSIONS_IDLE_TIMEOUT} works too). Only variables that are set
 * become properties: every default stays where it is declared, in the configuration records.
 */
public final class EnvironmentAliases {

    static final Map<String, String> ALIASES = Map.of(
            "SESSION_IDLE_TIMEOUT", "session-authority.sessions.idle-timeout",
            "SESSION_ABSOLUTE_TIMEOUT", "session-authority.sessions.absolute-timeout",
            "BCRYPT_COST", "session-authority.passwords.bcrypt-cost",
            "SESSION_AUTHORITY_CALLER_AUTH", "session-authority.security.caller-auth",
            "SHUTDOWN_DRAIN_DELAY", "session-authority.shutdown.drain-delay",
            "MANAGEMENT_PORT", "session-authority.management.port",
            "MANAGEMENT_HOST", "session-authority.management.host");

    /**
     * Every caller at once, as YAML or JSON: {@code {"envoy": {"api-key-sha256": ["…"], "permissions":
     * ["validate"]}}}. Micronaut's own mapping cannot carry them: a caller's name is part of the
     * property path, and a list of key digests does not fit one variable per property.
     */
    static final String CALLERS = "SESSION_AUTHORITY_CALLERS";
    private static final String CALLERS_PREFIX = "session-authority.security.callers.";

    private EnvironmentAliases() {
    }

    /**
     * The properties named by the aliases set in {@code environment}; fails with
     * IllegalArgumentException, naming the variable, when {@value #CALLERS} is not a mapping of
     * caller names to their settings.
     */
    public static Map<String, Object> properties(Map<String, String> environment) {
        Map<String, Object> properties = new HashMap<>();
        ALIASES.forEach((variable, property) -> {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                properties.put(property, value);
            }
        });
        String callers = environment.get(CALLERS);
        if (callers != null && !callers.isBlank()) {
            callers(callers).forEach((key, value) -> properties.put(CALLERS_PREFIX + key, value));
        }
        return properties;
    }

    /** The callers' settings, flattened as a configuration file's are ({@code envoy.permissions}). */
    private static Map<String, Object> callers(String yamlOrJson) {
        Map<String, Object> flattened;
        try {
            flattened = new io.micronaut.context.env.yaml.YamlPropertySourceLoader().read(CALLERS,
                    new java.io.ByteArrayInputStream(yamlOrJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (RuntimeException | java.io.IOException unreadable) {
            throw new IllegalArgumentException(CALLERS + " is not YAML or JSON: "
                    + String.valueOf(unreadable.getMessage()).replaceAll("\\s+", " ").strip(), unreadable);
        }
        if (flattened.isEmpty() || flattened.keySet().stream().anyMatch(key -> !key.contains("."))) {
            throw new IllegalArgumentException(CALLERS + " must map each caller's name to its settings, e.g."
                    + " {\"envoy\": {\"api-key-sha256\": [\"<sha-256 hex of its key>\"], \"permissions\": [\"validate\"]}}");
        }
        return flattened;
    }
}
