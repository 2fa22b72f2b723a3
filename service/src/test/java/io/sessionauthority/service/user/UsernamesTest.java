package io.sessionauthority.service.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.error.InvalidArgumentException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
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
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("username: must be at most 64 characters");
        // A ligature expands under NFKC: the limit holds for what is stored.
        assertThatThrownBy(() -> Usernames.normalize("username", "\uFB03".repeat(30)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("username: must be at most 64 characters");
    }

    @Test
    void boundsTheWorkOnHugeInput() {
        assertThatThrownBy(() -> Usernames.normalize("username", "x".repeat(1_000_000)))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "алиса",                         // Cyrillic
            "αλίκη",                         // Greek with an accent (monotonic; polytonic letters are outside the profile)
            "山田たろう",                     // Han and Hiragana
            "taro山田",                       // Latin and Han
            "björn",
            "o'neil",
            "alice.smith+test@example.com",
            "राम१",                          // Devanagari letters, vowel sign and digit
    })
    void acceptsNamesInOneWritingSystem(String raw) {
        assertThat(Usernames.normalizeNew("username", raw)).isEqualTo(raw);
    }

    @Test
    void refusesALookAlikeLetterFromAnotherScript() {
        // "\u0430" is Cyrillic small a: "аlice" looks exactly like "alice".
        assertThatThrownBy(() -> Usernames.normalizeNew("username", "\u0430lice"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("username: mixes scripts (Cyrillic and Latin); use one script");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u2605star", "go\u2192", "end\u3002", "\u0301accent", "1\u0301", "keycap\u20E3", "private\uE000"})
    void refusesSymbolsForeignPunctuationAndStrayMarks(String raw) {
        assertThatThrownBy(() -> Usernames.normalizeNew("username", raw))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("username: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0930\u093E\u092E1\u0967", "\u0639\u0644\u064A\u0661\u06F1"})
    void refusesDigitsFromTwoNumberSystems(String raw) {
        // राम1१ mixes ASCII and Devanagari digits, علي١۱ Arabic-Indic and Persian ones.
        assertThatThrownBy(() -> Usernames.normalizeNew("username", raw))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("username: mixes digits of different number systems; use one kind of digit");
    }

    @Test
    void namesRegisteredBeforeTheScriptRulesStillNormalizeForLogin() {
        // A presented name is only normalized: an old mixed-script account still signs in, and a
        // name the new rules refuse simply names nobody.
        assertThat(Usernames.normalize("username", "\u0430lice")).isEqualTo("\u0430lice");
    }

    @Test
    void skeletonMergesNamesWrittenInALookAlikeScript() {
        // Cyrillic "аре" and "раураӏ" (palochka for the l), spelt as escapes to show which letters.
        assertThat(Usernames.skeleton("\u0430\u0440\u0435")).isEqualTo(Usernames.skeleton("ape"));
        assertThat(Usernames.skeleton("\u0440\u0430\u0443\u0440\u0430\u04CF")).isEqualTo(Usernames.skeleton("paypal"));
        // Cyrillic р, а, у with a Latin l: refused by normalizeNew, yet the skeleton still matches.
        assertThat(Usernames.skeleton("\u0440\u0430\u0443\u0440\u0430l")).isEqualTo(Usernames.skeleton("paypal"));
        // Greek "ορα" and Cyrillic "ора" look alike too; accents follow their base letter.
        assertThat(Usernames.skeleton("\u03BF\u03C1\u03B1")).isEqualTo(Usernames.skeleton("\u043E\u0440\u0430"));
        assertThat(Usernames.skeleton("\u0451")).isEqualTo(Usernames.skeleton("\u00EB"));
    }

    @Test
    void skeletonMergesLookAlikesWithinOneScriptTooAsUnicodeDoes() {
        // UTS #39's data, not a hand-picked table: "paypa1" passes for "paypal", "rn" for "m".
        assertThat(Usernames.skeleton("paypa1")).isEqualTo(Usernames.skeleton("paypal"));
        assertThat(Usernames.skeleton("rnario")).isEqualTo(Usernames.skeleton("mario"));
    }

    @Test
    void skeletonKeepsOtherNamesApart() {
        assertThat(Usernames.skeleton("alice")).isEqualTo(Usernames.skeleton("alice"));
        assertThat(Usernames.skeleton("алиса")).isNotEqualTo(Usernames.skeleton("alice"));
        assertThat(Usernames.skeleton("bob")).isNotEqualTo(Usernames.skeleton("bib"));
        assertThat(Usernames.skeleton("山田たろう")).isNotEqualTo(Usernames.skeleton("山田はなこ"));
    }

    /** Default-ignorable code points: drawn as nothing, yet a different name (issue 23's examples). */
    @ParameterizedTest
    @ValueSource(strings = {"alice\uFE0F", "a\uFE00lice", "alic\uDB40\uDD00e", "al\u034Fice"})
    void refusesInvisibleCharacters(String raw) {
        assertThatThrownBy(() -> Usernames.normalizeNew("username", raw))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("username: must not contain invisible characters");
    }

    /**
     * Latin letters outside UTS #39's identifier profile (IPA, technical, phonetic small capitals)
     * that render as an ordinary letter: pɑypal (U+0251), paypaǀ (U+01C0), ɡoogle (U+0261), bᴏb (U+1D0F).
     */
    @ParameterizedTest
    @ValueSource(strings = {"p\u0251ypal", "paypa\u01C0", "\u0261oogle", "b\u1D0Fb"})
    void refusesLatinLookAlikesOutsideTheIdentifierProfile(String raw) {
        assertThatThrownBy(() -> Usernames.normalizeNew("username", raw))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("username: ");
    }

    @Test
    void aLatinLetterInEverydayUseStaysAllowedAndCollidesOnlyWithWhatItLooksLikeToUnicode() {
        // ɩ (U+0269, Latin iota) is written in Ewe and Kabiyè: in the identifier profile. Unicode's
        // confusable data maps it to "i", so "biɩɩ" is refused next to "biii", not next to "bill".
        assertThat(Usernames.normalizeNew("username", "bi\u0269\u0269")).isEqualTo("bi\u0269\u0269");
        assertThat(Usernames.skeleton("bi\u0269\u0269")).isEqualTo(Usernames.skeleton("biii")).isNotEqualTo(Usernames.skeleton("bill"));
    }
}
