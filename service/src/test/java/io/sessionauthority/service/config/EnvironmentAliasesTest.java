package io.sessionauthority.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Settings by environment: the short aliases, and every caller in one variable (YAML or JSON). */
@Tag("unit")
class EnvironmentAliasesTest {

    @Test
    void aliasesThatAreSetBecomeProperties() {
        assertThat(EnvironmentAliases.properties(Map.of("SESSION_IDLE_TIMEOUT", "15m", "BCRYPT_COST", " ")))
                .containsExactly(Map.entry("session-authority.sessions.idle-timeout", "15m"));
    }

    @Test
    void callersAsJson() {
        Map<String, Object> properties = EnvironmentAliases.properties(Map.of("SESSION_AUTHORITY_CALLERS",
                "{\"envoy\": {\"api-key-sha256\": [\"aa11\", \"bb22\"], \"permissions\": [\"validate\"]},"
                        + " \"edge\": {\"tls-identities\": [\"spiffe://example.org/edge\"], \"permissions\": [\"validate\", \"login\"],"
                        + " \"max-open-streams\": 2000}}"));
        assertThat(properties)
                .containsEntry("session-authority.security.callers.envoy.api-key-sha256", List.of("aa11", "bb22"))
                .containsEntry("session-authority.security.callers.envoy.permissions", List.of("validate"))
                .containsEntry("session-authority.security.callers.edge.tls-identities", List.of("spiffe://example.org/edge"))
                .containsEntry("session-authority.security.callers.edge.permissions", List.of("validate", "login"))
                .containsEntry("session-authority.security.callers.edge.max-open-streams", 2000);
    }

    @Test
    void callersAsYaml() {
        Map<String, Object> properties = EnvironmentAliases.properties(Map.of("SESSION_AUTHORITY_CALLERS", """
                envoy:
                  api-key-sha256: [aa11]
                  permissions: [validate]
                """));
        assertThat(properties).containsEntry("session-authority.security.callers.envoy.api-key-sha256", List.of("aa11"));
    }

    @Test
    void callersThatAreNotAMappingOfNamesFailNamingTheVariable() {
        assertThatThrownBy(() -> EnvironmentAliases.properties(Map.of("SESSION_AUTHORITY_CALLERS", "[\"envoy\"]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SESSION_AUTHORITY_CALLERS");
        assertThatThrownBy(() -> EnvironmentAliases.properties(Map.of("SESSION_AUTHORITY_CALLERS", "{\"permissions\": \"validate\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SESSION_AUTHORITY_CALLERS");
        assertThatThrownBy(() -> EnvironmentAliases.properties(Map.of("SESSION_AUTHORITY_CALLERS", "{envoy: [unclosed")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SESSION_AUTHORITY_CALLERS")
                .satisfies(unreadable -> assertThat(unreadable.getMessage()).as("one line").doesNotContain("\n"));
    }
}
