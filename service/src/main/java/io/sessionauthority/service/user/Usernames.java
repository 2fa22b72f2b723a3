package io.sessionauthority.service.user;

import static java.lang.Character.UnicodeScript.BOPOMOFO;
import static java.lang.Character.UnicodeScript.COMMON;
import static java.lang.Character.UnicodeScript.HAN;
import static java.lang.Character.UnicodeScript.HANGUL;
import static java.lang.Character.UnicodeScript.HIRAGANA;
import static java.lang.Character.UnicodeScript.INHERITED;
import static java.lang.Character.UnicodeScript.KATAKANA;
import static java.lang.Character.UnicodeScript.LATIN;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.validation.Checks;
import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Username normalization: one person, one spelling. "Alice", " alice " and "ａｌｉｃｅ" (full width)
 * all become "alice", so nobody can register a look-alike of a taken name by case or width.
 *
 * <p>Case and width are not the only disguises: Cyrillic "а" is drawn like Latin "a", so "аlice"
 * could pass for "alice". The rules follow the PRECIS UsernameCaseMapped profile (RFC 8265) and
 * the Unicode security mechanisms (UTS #39) in spirit, on top of the normalization above, which
 * stays as it is so that every stored name still maps to itself:
 * <ul>
 *   <li>only letters, combining marks on a letter, decimal digits and printable ASCII, as in the
 *       PRECIS IdentifierClass: symbols, non-ASCII punctuation and invisible characters are where
 *       disguises hide, and nobody needs them in a name;
 *   <li>one script per name, UTS #39 "Highly Restrictive": a script switch inside a name is how a
 *       single look-alike letter gets in, while Japanese, Chinese and Korean names legitimately
 *       combine Han with kana, Bopomofo or Hangul, and with Latin;
 *   <li>one number system for the digits, so "1" and Arabic-Indic "١" cannot be swapped.
 * </ul>
 * A name written entirely in another script can still look Latin (Cyrillic "аре" and "ape"):
 * {@link #skeleton} gives such names one key, so the store can refuse the second of them.
 */
public final class Usernames {

    public static final int MAX_LENGTH = 64;

    /** The script combinations UTS #39 allows at the "Highly Restrictive" level, besides one script. */
    private static final List<Set<UnicodeScript>> ALLOWED_SCRIPT_MIXES = List.of(
            EnumSet.of(LATIN, HAN, HIRAGANA, KATAKANA), // Japanese
            EnumSet.of(LATIN, HAN, BOPOMOFO),           // Chinese
            EnumSet.of(LATIN, HAN, HANGUL));            // Korean

    /**
     * Cyrillic and Greek lowercase letters that common fonts draw exactly like a Latin letter: the
     * cross-script entries of the Unicode confusables list (UTS #39 confusables.txt) whose target is
     * a plain Latin lowercase letter. Only lowercase, since names are case-folded first.
     *
     * <p>Deliberately narrow. Full UTS #39 skeletons also merge look-alikes within one script ("rn"
     * and "m", "l" and "1", "0" and "o"), which would refuse many honest names for little gain: the
     * one-script rule already stops the single swapped letter, and this list only has to catch whole
     * names written in a script that can pass for Latin. Left out on purpose: к and κ (confusables
     * maps them to kra "ĸ": no ascender, unlike "k"), χ (descends below the line), τ, в, т (look
     * like small capitals, not lowercase letters), and ϲ (NFKC turns it into "ς", then folding into
     * "σ", so it never reaches this map). Accented forms (ё, ї, ό) need no entry: the skeleton
     * decomposes them and maps the base letter.
     */
    private static final Map<Integer, Integer> LATIN_LOOK_ALIKES = Map.ofEntries(
            Map.entry(0x0430, (int) 'a'), // а CYRILLIC SMALL LETTER A
            Map.entry(0x0435, (int) 'e'), // е CYRILLIC SMALL LETTER IE
            Map.entry(0x043E, (int) 'o'), // о CYRILLIC SMALL LETTER O
            Map.entry(0x0440, (int) 'p'), // р CYRILLIC SMALL LETTER ER
            Map.entry(0x0441, (int) 'c'), // с CYRILLIC SMALL LETTER ES
            Map.entry(0x0443, (int) 'y'), // у CYRILLIC SMALL LETTER U
            Map.entry(0x0445, (int) 'x'), // х CYRILLIC SMALL LETTER HA
            Map.entry(0x0455, (int) 's'), // ѕ CYRILLIC SMALL LETTER DZE
            Map.entry(0x0456, (int) 'i'), // і CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
            Map.entry(0x0458, (int) 'j'), // ј CYRILLIC SMALL LETTER JE
            Map.entry(0x04BB, (int) 'h'), // һ CYRILLIC SMALL LETTER SHHA
            Map.entry(0x04CF, (int) 'l'), // ӏ CYRILLIC SMALL LETTER PALOCHKA (a full-height stroke)
            Map.entry(0x0501, (int) 'd'), // ԁ CYRILLIC SMALL LETTER KOMI DE
            Map.entry(0x051B, (int) 'q'), // ԛ CYRILLIC SMALL LETTER QA
            Map.entry(0x051D, (int) 'w'), // ԝ CYRILLIC SMALL LETTER WE
            Map.entry(0x03B1, (int) 'a'), // α GREEK SMALL LETTER ALPHA
            Map.entry(0x03B9, (int) 'i'), // ι GREEK SMALL LETTER IOTA
            Map.entry(0x03BD, (int) 'v'), // ν GREEK SMALL LETTER NU
            Map.entry(0x03BF, (int) 'o'), // ο GREEK SMALL LETTER OMICRON
            Map.entry(0x03C1, (int) 'p'), // ρ GREEK SMALL LETTER RHO
            Map.entry(0x03C5, (int) 'u'), // υ GREEK SMALL LETTER UPSILON
            Map.entry(0x03F3, (int) 'j')); // ϳ GREEK LETTER YOT

    private Usernames() {
    }

    /**
     * A username being registered: {@linkplain #normalize normalized}, then held to the rules for
     * new names: only letters, digits and ASCII punctuation, one script and one number system (see
     * the class comment).
     */
    public static String normalizeNew(String field, String raw) {
        String folded = normalize(field, raw);
        requireIdentifierCharacters(field, folded);
        requireOneScript(field, folded);
        requireOneDigitSystem(field, folded);
        return folded;
    }

    /**
     * Trims, applies Unicode NFKC, case-folds (simple case folding, then NFKC again, since
     * folding can produce new compatibility forms), and checks the result: 1 to {@value #MAX_LENGTH}
     * characters, no whitespace inside, no control or invisible characters. What a presented name
     * (a login) must pass: names registered before the rules of {@link #normalizeNew} existed still
     * sign in, and a name those rules refuse simply names nobody.
     */
    public static String normalize(String field, String raw) {
        Checks.requireNonEmpty(field, raw);
        // Bound the work before normalizing: NFKC can expand a string up to 18 times.
        Checks.requireMaxLength(field, raw, MAX_LENGTH * 4);
        String folded = Normalizer.normalize(
                caseFold(Normalizer.normalize(raw.strip(), Normalizer.Form.NFKC)),
                Normalizer.Form.NFKC);
        if (folded.isEmpty()) {
            throw new InvalidArgumentException(field, "is blank");
        }
        Checks.requireMaxLength(field, folded, MAX_LENGTH);
        Checks.requirePrintable(field, folded);
        if (folded.codePoints().anyMatch(Character::isWhitespace) || folded.codePoints().anyMatch(Character::isSpaceChar)) {
            throw new InvalidArgumentException(field, "must not contain spaces");
        }
        return folded;
    }

    /**
     * The key under which look-alike names collide, for a name returned by {@link #normalize}:
     * Cyrillic "аре" and Latin "ape" both give "ape". A Latin name is its own skeleton; a name in
     * another script keeps the letters that cannot pass for Latin ("алиса" gives "aлиca"), so it
     * collides with nothing Latin.
     */
    public static String skeleton(String normalized) {
        // Decomposed first so that accented forms follow their base letter: Cyrillic "ё" is "е" plus
        // a diaeresis and looks like Latin "ë".
        String decomposed = Normalizer.normalize(normalized, Normalizer.Form.NFD);
        StringBuilder mapped = new StringBuilder(decomposed.length());
        decomposed.codePoints().forEach(cp -> mapped.appendCodePoint(LATIN_LOOK_ALIKES.getOrDefault(cp, cp)));
        return Normalizer.normalize(mapped, Normalizer.Form.NFKC);
    }

    /**
     * Simple Unicode case folding, code point by code point: upper then lower case, without the
     * locale or context rules of {@link String#toLowerCase} (which would keep a final sigma 'ς'
     * apart from 'σ', and make Turkish 'I' depend on the server's locale).
     */
    static String caseFold(String text) {
        StringBuilder folded = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> folded.appendCodePoint(Character.toLowerCase(Character.toUpperCase(cp))));
        return folded.toString();
    }

    private static void requireIdentifierCharacters(String field, String name) {
        boolean onLetter = false;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int type = Character.getType(cp);
            // Enclosing marks (a circle or keycap drawn around the letter) are left out, as in PRECIS.
            boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
            boolean letter = Character.isLetter(cp);
            if (mark && !onLetter) {
                // A mark on a digit or on punctuation is a way to draw a new symbol from allowed parts.
                throw new InvalidArgumentException(field, String.format(
                        "must not contain a combining mark that does not follow a letter (found U+%04X at position %d)", cp, i));
            }
            if (!letter && !mark && type != Character.DECIMAL_DIGIT_NUMBER && (cp < 0x21 || cp > 0x7E)) {
                throw new InvalidArgumentException(field, String.format(
                        "may contain only letters, digits and ASCII punctuation (found U+%04X at position %d)", cp, i));
            }
            onLetter = letter || mark;
            i += Character.charCount(cp);
        }
    }

    private static void requireOneScript(String field, String name) {
        Set<UnicodeScript> scripts = new LinkedHashSet<>();
        // Common (ASCII digits and punctuation, the kana length mark) and Inherited (most combining
        // marks) are shared by every script, so they take the script of their neighbours.
        name.codePoints().mapToObj(UnicodeScript::of)
                .filter(script -> script != COMMON && script != INHERITED)
                .forEach(scripts::add);
        if (scripts.size() > 1 && ALLOWED_SCRIPT_MIXES.stream().noneMatch(mix -> mix.containsAll(scripts))) {
            throw new InvalidArgumentException(field, "mixes scripts (" + describe(scripts) + "); use one script");
        }
    }

    private static void requireOneDigitSystem(String field, String name) {
        // Each decimal digit block runs from its own zero, so one zero means one number system.
        long zeros = name.codePoints()
                .filter(cp -> Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER)
                .map(cp -> cp - Character.digit(cp, 10))
                .distinct()
                .count();
        if (zeros > 1) {
            throw new InvalidArgumentException(field, "mixes digits of different number systems; use one kind of digit");
        }
    }

    /** "Latin and Cyrillic", "Latin, Greek and Cyrillic": for a person, not a programmer. */
    private static String describe(Set<UnicodeScript> scripts) {
        List<String> names = new ArrayList<>();
        for (UnicodeScript script : scripts) {
            String name = script.name().replace('_', ' ').toLowerCase(Locale.ROOT);
            names.add(Character.toUpperCase(name.charAt(0)) + name.substring(1));
        }
        String last = names.remove(names.size() - 1);
        return names.isEmpty() ? last : String.join(", ", names) + " and " + last;
    }
}
