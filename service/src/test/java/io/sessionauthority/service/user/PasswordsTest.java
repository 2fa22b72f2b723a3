package io.sessionauthority.service.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.error.InvalidArgumentException;
import java.security.SecureRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PasswordsTest {

    private static final PasswordHasher HASHER = new PasswordHasher(10, new SecureRandom());
    private final PasswordPolicy policy = new PasswordPolicy(8, 256);

    @Test
    void hashVerifiesTheSamePasswordOnly() {
        String hash = HASHER.hash("correct horse battery staple");
        assertThat(hash).startsWith("$2b$10$").hasSize(60);
        assertThat(HASHER.verify("correct horse battery staple", hash)).isTrue();
        assertThat(HASHER.verify("correct horse battery stapl", hash)).isFalse();
    }

    @Test
    void passwordsLongerThanBcryptsSeventyTwoBytesAreNotTruncated() {
        String common = "x".repeat(100);
        String hash = HASHER.hash(common + "A");
        assertThat(HASHER.verify(common + "A", hash)).isTrue();
        assertThat(HASHER.verify(common + "B", hash)).isFalse();
        String emoji = "🔑".repeat(40); // 160 UTF-8 bytes
        assertThat(HASHER.verify(emoji, HASHER.hash(emoji))).isTrue();
        assertThat(HASHER.verify("🔑".repeat(39) + "🔒", HASHER.hash(emoji))).isFalse();
    }

    @Test
    void eachHashHasItsOwnSalt() {
        assertThat(HASHER.hash("same password")).isNotEqualTo(HASHER.hash("same password"));
    }

    @Test
    void unknownUsersCostAVerificationAndNeverMatch() {
        assertThat(HASHER.verifyNobody("anything at all")).isFalse();
    }

    @Test
    void malformedStoredHashesNeverMatch() {
        assertThat(HASHER.verify("password", "not a bcrypt hash")).isFalse();
    }

    @Test
    void hashesBelowTheConfiguredCostNeedARehash() {
        assertThat(HASHER.needsRehash("$2b$04$abcdefghijklmnopqrstuu5Nf0bmjq5lDNoZYfn7qj4Ym/7LdiGa")).isTrue();
        assertThat(HASHER.needsRehash(HASHER.hash("pw-at-cost-10"))).isFalse();
        assertThat(PasswordHasher.costOf("garbage")).isEqualTo(-1);
    }

    @Test
    void newPasswordsHaveAMinimumLengthInCharacters() {
        assertThatThrownBy(() -> policy.checkNew("password", "short")).isInstanceOf(InvalidArgumentException.class).hasMessage("password: must be at least 8 characters");
        assertThat(policy.checkNew("password", "🔑🔑🔑🔑🔑🔑🔑🔑")).isNotEmpty();
    }

    @Test
    void passwordsHaveAGenerousButFiniteMaximum() {
        assertThat(policy.checkNew("password", "p".repeat(256))).hasSize(256);
        assertThatThrownBy(() -> policy.checkNew("password", "p".repeat(257)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("password: must be at most 256 characters");
    }

    @Test
    void passwordsAllowSpacesButNoControlCharacters() {
        assertThat(policy.checkNew("password", "a passphrase with spaces")).contains(" ");
        assertThatThrownBy(() -> policy.checkNew("password", "nul\0inside-password"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("password: must not contain control characters");
    }

    @Test
    void presentedPasswordsSkipTheMinimumSoOldPasswordsStillVerify() {
        assertThat(policy.checkPresented("password", "short")).isEqualTo("short");
        assertThatThrownBy(() -> policy.checkPresented("password", "")).isInstanceOf(InvalidArgumentException.class).hasMessage("password: is required");
    }

    @Test
    void compatibilityFormsOfOnePasswordMatch() {
        String hash = HASHER.hash(policy.checkNew("password", "ｐａｓｓｗｏｒｄ１"));
        assertThat(HASHER.verify(policy.checkPresented("password", "password1"), hash)).isTrue();
    }
}
