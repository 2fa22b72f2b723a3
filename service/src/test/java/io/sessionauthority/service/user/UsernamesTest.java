package io.sessionauthority.service.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.error.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsernamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"alice", "Alice", "  ALICE\t", "ａｌｉｃｅ", "ＡＬＩＣＥ"})
    void spellingsOfOneNameNormalizeToOne(String raw) {
        assertThat(Usernames.normalize("username", raw)).isEqualTo("alice");
    }

    @Test
    void keepsPunctuationAndNonLatinLetters() {
        assertThat(Usernames.normalize("username", "Jürgen.O'Brien@example.com")).isEqualTo("jürgen.o'brien@example.com");
        assertThat(Usernames.normalize("username", "ΔΗΜΗΤΡΗΣ")).isEqualTo("δημητρησ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "al ice", "nul\0", "bell\u0007", "zero\u200Bwidth", "rtl\u202Eoverride", "line\u2028sep"})
    void rejectsBlankSpacedAndInvisibleNames(String raw) {
        assertThatThrownBy(() -> Usernames.normalize("username", raw))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("username: ");
    }

    @Test
    void limitsTheLengthAfterNormalization() {
        assertThat(Usernames.normalize("username", "a".repeat(64))).hasSize(64);
        assertThatThrownBy(() -> Usernames.normalize("username", "a".repeat(65)))
                .hasMessage("username: must be at most 64 characters");
        // A ligature expands under NFKC: the limit holds for what is stored.
        assertThatThrownBy(() -> Usernames.normalize("username", "\uFB03".repeat(30)))
                .hasMessage("username: must be at most 64 characters");
    }

    @Test
    void boundsTheWorkOnHugeInput() {
        assertThatThrownBy(() -> Usernames.normalize("username", "x".repeat(1_000_000)))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
