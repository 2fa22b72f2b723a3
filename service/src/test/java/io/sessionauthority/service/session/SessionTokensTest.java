package io.sessionauthority.service.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.user.UserIds;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class SessionTokensTest {

    private final SecureRandom random = new SecureRandom();
    private final SessionTokens tokens = new SessionTokens(random);
    private final String userId = UserIds.newId(random);

    @Test
    void tokenHasThePrefixAFixedLengthAndAUrlSafeAlphabet() {
        String token = tokens.issue(userId).token();
        assertThat(token).startsWith("sat1_").hasSize(SessionTokens.TOKEN_LENGTH).matches("sat1_[A-Za-z0-9_-]{64}");
    }

    @Test
    void tokenCarriesAtLeast256RandomBitsBesidesTheUserId() {
        assertThat((java.util.Base64.getUrlDecoder().decode(tokens.issue(userId).token().substring(SessionTokens.PREFIX.length())).length - 16) * 8)
                .isGreaterThanOrEqualTo(256);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(tokens.issue(userId).token())).isTrue();
        }
    }

    @Test
    void parsingAnIssuedTokenGivesBackItsUserAndSession() {
        SessionTokens.Issued issued = tokens.issue(userId);
        SessionTokens.Reference ref = SessionTokens.parse("token", issued.token());
        assertThat(ref.userId()).isEqualTo(userId);
        assertThat(ref.sessionId()).isEqualTo(issued.sessionId());
    }

    @Test
    void sessionIdIsAOneWayDigestThatRevealsNothingOfTheSecret() {
        SessionTokens.Issued issued = tokens.issue(userId);
        String secretPart = issued.token().substring(5 + io.sessionauthority.service.validation.Ids.LENGTH);
        assertThat(issued.sessionId()).hasSize(22).doesNotContain(secretPart.substring(0, 8));
        assertThat(SessionTokens.isSessionId(issued.sessionId())).isTrue();
        assertThat(issued.toString()).doesNotContain(issued.token());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "garbage",
            "sat1_",
            "xxx1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "sat1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "sat1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+/",
            "sat1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
            "sat1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\0A",
    })
    void rejectsAnythingNotOfTheTokenFormat(String token) {
        assertThatThrownBy(() -> SessionTokens.parse("token", token))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("token: ");
    }

    @Test
    void rejectsARotatedTokenWhoseLastCharacterCarriesUnusedBits() {
        // 80 bytes are 107 characters with 2 bits to spare: each token has 3 other spellings that
        // decode to it, and a token must have exactly one (its validator is derived from its bytes).
        String rotated = tokens.rotate(SessionTokens.parse("token", tokens.issue(userId).token())).token();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(rotated.charAt(rotated.length() - 1));
        assertThat(last & 3).as("the canonical spelling leaves the spare bits zero").isZero();
        String respelled = rotated.substring(0, rotated.length() - 1) + alphabet.charAt(last | 1);
        assertThat(SessionTokens.parse("token", rotated).sessionId()).isNotBlank();
        assertThatThrownBy(() -> SessionTokens.parse("token", respelled))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("token: is not a session token (not in canonical form)");
    }

    @Test
    void rejectsAnEmptyToken() {
        assertThatThrownBy(() -> SessionTokens.parse("token", "")).isInstanceOf(InvalidArgumentException.class).hasMessage("token: is required");
    }

    @Test
    void rejectsATruncatedToken() {
        String token = tokens.issue(userId).token();
        assertThatThrownBy(() -> SessionTokens.parse("token", token.substring(0, token.length() - 1)))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void errorMessagesNeverEchoTheToken() {
        String token = tokens.issue(userId).token();
        String tampered = token.substring(0, token.length() - 1) + "!";
        assertThatThrownBy(() -> SessionTokens.parse("token", tampered))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token.substring(5, 40)));
    }
}
