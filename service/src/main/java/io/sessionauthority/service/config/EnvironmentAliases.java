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

    private EnvironmentAliases() {
    }

    /** The properties named by the aliases set in {@code environment}. */
    public static Map<String, Object> properties(Map<String, String> environment) {
        Map<String, Object> properties = new HashMap<>();
        ALIASES.forEach((variable, property) -> {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                properties.put(property, value);
            }
        });
        return properties;
    }
}
