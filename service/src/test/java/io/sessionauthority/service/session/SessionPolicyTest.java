package io.sessionauthority.service.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.error.InvalidArgumentException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class SessionPolicyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final SessionPolicy policy = new SessionPolicy(
            Duration.ofMinutes(30), Duration.ofHours(12), 100, Duration.ofHours(1), 3, 10);

    @Test
    void aLoginGetsTheDeploymentsLimitUnlessItsCallerLowersIt() {
        SessionLimit deployment = policy.limitFor(SessionLimit.Requested.DEPLOYMENT_DEFAULTS);
        assertThat(deployment).isEqualTo(new SessionLimit(SessionLimit.Policy.EVICT_LEAST_RECENT, 100, "", "", ""));
        SessionLimit lowered = policy.limitFor(new SessionLimit.Requested(java.util.Optional.of(SessionLimit.Policy.DENY_NEW), 3,
                "AAAAAAAAAAAAAAAAAAAAAA"));
        assertThat(lowered).isEqualTo(new SessionLimit(SessionLimit.Policy.DENY_NEW, 3, "AAAAAAAAAAAAAAAAAAAAAA", "", ""));
        assertThat(policy.limitFor(new SessionLimit.Requested(java.util.Optional.empty(), 100, "")).maxSessions()).isEqualTo(100);
    }

    @Test
    void aCallerCannotRaiseTheLimitOrNameAMalformedSession() {
        assertThatThrownBy(() -> policy.limitFor(new SessionLimit.Requested(java.util.Optional.empty(), 101, "")))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("max_sessions"));
        assertThatThrownBy(() -> policy.limitFor(new SessionLimit.Requested(java.util.Optional.empty(), 0, "../other")))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("replace_session_id"));
    }

    @Test
    void devicesMatterOnlyUnderOnePerDevice() {
        SessionLimit evict = new SessionLimit(SessionLimit.Policy.EVICT_LEAST_RECENT, 2, "", "", "");
        assertThat(evict.withDevices("new", "old")).isSameAs(evict);
        assertThat(new SessionLimit(SessionLimit.Policy.ONE_PER_DEVICE, 2, "", "", "").withDevices("new", "old"))
                .isEqualTo(new SessionLimit(SessionLimit.Policy.ONE_PER_DEVICE, 2, "", "new", "old"));
    }

    @Test
    void limitPoliciesAreConfiguredByName() {
        for (SessionLimit.Policy each : SessionLimit.Policy.values()) {
            assertThat(SessionLimit.Policy.named(each.configName())).isEqualTo(each);
        }
        assertThat(SessionLimit.Policy.named(" Deny-New ")).isEqualTo(SessionLimit.Policy.DENY_NEW);
        assertThatThrownBy(() -> SessionLimit.Policy.named("lru")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("evict-least-recent, deny-new, one-per-device");
    }

    @Test
    void absoluteExpiryIsFixedAtCreation() {
        assertThat(policy.absoluteExpiry(T0)).isEqualTo(T0.plus(Duration.ofHours(12)));
    }

    @Test
    void idleExpirySlidesWithActivity() {
        Instant absolute = policy.absoluteExpiry(T0);
        assertThat(policy.idleExpiry(T0, absolute)).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        Instant later = T0.plus(Duration.ofHours(3));
        assertThat(policy.idleExpiry(later, absolute)).isEqualTo(later.plus(Duration.ofMinutes(30)));
    }

    @Test
    void idleExpiryNeverPassesTheAbsoluteExpiry() {
        Instant absolute = policy.absoluteExpiry(T0);
        Instant nearTheEnd = absolute.minus(Duration.ofMinutes(10));
        assertThat(policy.idleExpiry(nearTheEnd, absolute)).isEqualTo(absolute);
    }

    @Test
    void sessionIsLiveOnlyBeforeBothExpiries() {
        Session session = new Session("s", "u", "alice", T0, T0.plusSeconds(100), T0.plusSeconds(50), T0, ClientInfo.NONE, Map.of());
        assertThat(session.isLiveAt(T0.plusSeconds(49))).isTrue();
        assertThat(session.isLiveAt(T0.plusSeconds(50))).isFalse();
    }

    @Test
    void idleTimeoutLongerThanAbsoluteIsAConfigurationError() {
        assertThatThrownBy(() -> new SessionPolicy(Duration.ofHours(13), Duration.ofHours(12), 100, Duration.ofHours(1), 3, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("idle-timeout");
    }

    @Test
    void acceptsAttributesWithinLimits() {
        assertThat(policy.checkAttributes("attributes", Map.of("cart", "42", "page.current", "/home", "a:b-c_d", "")))
                .hasSize(3);
    }

    @Test
    void rejectsTooManyAttributes() {
        assertThatThrownBy(() -> policy.checkAttributes("attributes", Map.of("a", "1", "b", "2", "c", "3", "d", "4")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("at most 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "semi;colon", "ünïcode", "nul\0byte",
            "a-name-that-is-far-too-long-to-be-accepted-as-an-attribute-name-by-policy"})
    void rejectsBadAttributeNames(String name) {
        assertThatThrownBy(() -> policy.checkAttributes("attributes", Map.of(name, "v")))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).isEqualTo("attributes"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"01234567890", "tab\there", "nul\0", "bidi\u202Eoverride", "zero\u200Bwidth"})
    void rejectsOverlongOrInvisibleAttributeValues(String value) {
        assertThatThrownBy(() -> policy.checkAttributes("attributes", Map.of("k", value)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("attributes[k]");
    }

    @Test
    void rejectsATouchThatSetsAndRemovesTheSameAttribute() {
        assertThatThrownBy(() -> policy.checkAttributeChanges(Map.of("cart", "1"), List.of("cart")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("remove_attributes");
    }

    @Test
    void rejectsATouchThatRemovesANameTwice() {
        assertThatThrownBy(() -> policy.checkAttributeChanges(Map.of(), List.of("cart", "cart")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("remove_attributes: names an attribute more than once");
    }

    @Test
    void acceptsCommonClientMetadata() {
        ClientInfo client = new ClientInfo("2001:db8::1", "Mozilla/5.0 (X11; Linux x86_64)", "Alice's laptop");
        assertThat(policy.checkClient(client)).isEqualTo(client);
        assertThat(policy.checkClient(new ClientInfo("192.0.2.10", "", ""))).isNotNull();
        assertThat(policy.checkClient(ClientInfo.NONE)).isEqualTo(ClientInfo.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-ip", "256.1.1.1", "1.2.3", "example.com", "1.2.3.4\n"})
    void rejectsMalformedIpAddresses(String ip) {
        assertThatThrownBy(() -> policy.checkClient(new ClientInfo(ip, "", "")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("client.ip_address");
    }

    @Test
    void rejectsOverlongUserAgentsAndControlCharacters() {
        assertThatThrownBy(() -> policy.checkClient(new ClientInfo("", "x".repeat(513), "")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("client.user_agent");
        assertThatThrownBy(() -> policy.checkClient(new ClientInfo("", "", "dev\u0007ice")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("client.device_name");
    }

    @Test
    void attributeMapIsCopiedSoCallersCannotChangeASession() {
        Map<String, String> attributes = new HashMap<>(Map.of("k", "v"));
        Session session = new Session("s", "u", "n", T0, T0, T0, T0, ClientInfo.NONE, attributes);
        attributes.put("k", "changed");
        assertThat(session.attributes()).containsEntry("k", "v");
    }
}
