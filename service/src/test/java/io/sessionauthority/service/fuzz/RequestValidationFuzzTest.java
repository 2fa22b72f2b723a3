package io.sessionauthority.service.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.SessionPolicy;
import io.sessionauthority.service.session.SessionTokens;
import io.sessionauthority.service.user.PasswordPolicy;
import io.sessionauthority.service.user.UserIds;
import io.sessionauthority.service.user.Usernames;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;

/**
 * Hostile input against every request check: whatever the bytes, a check either accepts (and what
 * it accepts keeps its promises) or fails with InvalidArgumentException naming a field — never any
 * other exception, which would reach the caller as INTERNAL.
 *
 * <p>In CI these run as regression tests over the inputs stored under
 * {@code src/test/resources/.../RequestValidationFuzzTestInputs}; {@code JAZZER_FUZZ=1 ./mvnw -pl service test
 * -Dtest=RequestValidationFuzzTest} fuzzes for real (see docs/SECURING.md).
 */
@Tag("unit")
class RequestValidationFuzzTest {

    private static final SessionPolicy POLICY = new SessionPolicy(
            Duration.ofMinutes(30), Duration.ofHours(12), 100, Duration.ofHours(1), 16, 256);
    private static final PasswordPolicy PASSWORDS = new PasswordPolicy(8, 256);

    @FuzzTest(maxDuration = "10s")
    void tokenParsing(FuzzedDataProvider data) {
        String token = data.consumeRemainingAsString();
        try {
            SessionTokens.Reference ref = SessionTokens.parse("token", token);
            assertThat(token).startsWith(SessionTokens.PREFIX).hasSize(SessionTokens.TOKEN_LENGTH);
            assertThat(UserIds.isWellFormed(ref.userId())).isTrue();
            assertThat(SessionTokens.isSessionId(ref.sessionId())).isTrue();
        } catch (InvalidArgumentException expected) {
            assertThat(expected.field()).isEqualTo("token");
            assertThat(expected.getMessage()).doesNotContain(token.length() > 8 ? token : "\u0000never");
        }
    }

    @FuzzTest(maxDuration = "10s")
    void usernames(FuzzedDataProvider data) {
        String raw = data.consumeRemainingAsString();
        try {
            String normalized = Usernames.normalize("username", raw);
            assertThat(normalized).isNotEmpty();
            assertThat(normalized.codePointCount(0, normalized.length())).isLessThanOrEqualTo(Usernames.MAX_LENGTH);
            assertThat(normalized.codePoints()).noneMatch(cp -> Character.isISOControl(cp) || Character.isWhitespace(cp));
            assertThat(Usernames.normalize("username", normalized)).isEqualTo(normalized); // idempotent
        } catch (InvalidArgumentException expected) {
            assertThat(expected.field()).isEqualTo("username");
        }
    }

    @FuzzTest(maxDuration = "10s")
    void passwords(FuzzedDataProvider data) {
        String raw = data.consumeRemainingAsString();
        try {
            String normalized = PASSWORDS.checkNew("password", raw);
            assertThat(normalized.codePointCount(0, normalized.length())).isBetween(8, 256);
        } catch (InvalidArgumentException expected) {
            assertThat(expected.field()).isEqualTo("password");
        }
    }

    @FuzzTest(maxDuration = "10s")
    void sessionRequests(FuzzedDataProvider data) {
        ClientInfo client = new ClientInfo(data.consumeString(64), data.consumeString(600), data.consumeString(200));
        Map<String, String> attributes = new HashMap<>();
        int count = data.consumeInt(0, 40);
        for (int i = 0; i < count; i++) {
            attributes.put(data.consumeString(80), data.consumeString(300));
        }
        List<String> removals = List.of(data.consumeString(80), data.consumeRemainingAsString());
        try {
            ClientInfo checked = POLICY.checkClient(client);
            assertThat(checked.userAgent().length()).isLessThanOrEqualTo(512 * 2);
        } catch (InvalidArgumentException expected) {
            assertThat(expected.field()).startsWith("client.");
        }
        try {
            POLICY.checkAttributes("attributes", attributes);
            assertThat(attributes.size()).isLessThanOrEqualTo(16);
        } catch (InvalidArgumentException expected) {
            assertThat(expected.field()).startsWith("attributes"); // the map, or attributes[<name>] for one value
        }
        try {
            POLICY.checkAttributeChanges(attributes, removals);
        } catch (InvalidArgumentException expected) {
            assertThat(expected.field()).matches("(set|remove)_attributes.*");
        }
    }
}
