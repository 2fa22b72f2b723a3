package io.sessionauthority.service.user;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.SpoofChecker;
import com.ibm.icu.text.UnicodeSet;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.validation.Checks;
import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Username normalization: one person, one spelling. "Alice", " alice " and "ａｌｉｃｅ" (full width)
 * all become "alice", so nobody can register a look-alike of a taken name by case or width.
 *
 * <p>Case and width are not the only disguises: Cyrillic "а" is drawn like Latin "a", "ɑ" (Latin
 * alpha) like "a", and an invisible variation selector can sit after any letter. New names are
 * held to Unicode's own data, through ICU's {@link SpoofChecker} (UTS #39, the rules PRECIS's
 * UsernameCaseMapped profile, RFC 8265, builds on), on top of the normalization above, which stays
 * as it is so that every stored name still maps to itself:
 * <ul>
 *   <li>only characters of UTS #39's identifier profile (Identifier_Status Allowed: letters and
 *       digits in common use, no technical, obsolete or IPA letters such as "ɑ", "ɡ", "ǀ", "ᴏ"),
 *       plus printable ASCII punctuation for e-mail-like names; no default-ignorable (invisible)
 *       code point; no combining mark that does not follow a letter;
 *   <li>UTS #39 "Highly Restrictive": one script per name, or the mixes Japanese, Chinese and
 *       Korean names legitimately use;
 *   <li>one number system for the digits, so "1" and Arabic-Indic "١" cannot be swapped.
 * </ul>
 * A name written entirely in another script can still look Latin (Cyrillic "аре" and "ape"):
 * {@link #skeleton}, UTS #39's confusable skeleton, gives such names one key, so the store can
 * refuse the second of them.
 */
public final class Usernames {

    public static final int MAX_LENGTH = 64;

    /** UTS #39's identifier profile, and the ASCII punctuation that e-mail-like names use. */
    private static final UnicodeSet ALLOWED = new UnicodeSet(SpoofChecker.RECOMMENDED).addAll(SpoofChecker.INCLUSION)
            .addAll(new UnicodeSet("[!-~]")).freeze();

    private static final SpoofChecker CHECKER = new SpoofChecker.Builder()
            .setAllowedChars(ALLOWED)
            .setRestrictionLevel(SpoofChecker.RestrictionLevel.HIGHLY_RESTRICTIVE)
            .setChecks(SpoofChecker.RESTRICTION_LEVEL | SpoofChecker.CHAR_LIMIT | SpoofChecker.MIXED_NUMBERS | SpoofChecker.INVISIBLE)
            .build();

    private Usernames() {
    }

    /**
     * A username being registered: {@linkplain #normalize normalized}, then held to the rules for
     * new names (see the class comment).
     */
    public static String normalizeNew(String field, String raw) {
        String folded = normalize(field, raw);
        requireNoDefaultIgnorable(field, folded);
        requireMarksOnLetters(field, folded);
        SpoofChecker.CheckResult result = new SpoofChecker.CheckResult();
        if (CHECKER.failsChecks(folded, result)) {
            throw refused(field, folded, result.checks);
        }
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
     * UTS #39's confusable skeleton, so Cyrillic "аре" and Latin "ape" both give "ape", and "paypa1"
     * gives what "paypal" gives.
     */
    public static String skeleton(String normalized) {
        return CHECKER.getSkeleton(normalized);
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

    private static void requireNoDefaultIgnorable(String field, String name) {
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (UCharacter.hasBinaryProperty(cp, UProperty.DEFAULT_IGNORABLE_CODE_POINT)) {
                // Variation selectors, joiners, combining grapheme joiners: drawn as nothing, yet a different name.
                throw new InvalidArgumentException(field, String.format(
                        "must not contain invisible characters (found U+%04X at position %d)", cp, i));
            }
            i += Character.charCount(cp);
        }
    }

    private static void requireMarksOnLetters(String field, String name) {
        boolean onLetter = false;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int type = Character.getType(cp);
            // Enclosing marks (a circle or keycap drawn around the letter) are refused, as in PRECIS.
            boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                    || type == Character.ENCLOSING_MARK;
            if (mark && (!onLetter || type == Character.ENCLOSING_MARK)) {
                // A mark on a digit or on punctuation is a way to draw a new symbol from allowed parts.
                throw new InvalidArgumentException(field, String.format(
                        "must not contain a combining mark that does not follow a letter (found U+%04X at position %d)", cp, i));
            }
            onLetter = Character.isLetter(cp) || mark;
            i += Character.charCount(cp);
        }
    }

    /** What a person can act on, for the first check the name failed. */
    private static InvalidArgumentException refused(String field, String name, int checks) {
        if ((checks & SpoofChecker.CHAR_LIMIT) != 0) {
            for (int i = 0; i < name.length(); ) {
                int cp = name.codePointAt(i);
                if (!ALLOWED.contains(cp)) {
                    return new InvalidArgumentException(field, String.format(
                            "may contain only letters and digits in common use and ASCII punctuation (found U+%04X at position %d)",
                            cp, i));
                }
                i += Character.charCount(cp);
            }
        }
        if ((checks & SpoofChecker.MIXED_NUMBERS) != 0) {
            return new InvalidArgumentException(field, "mixes digits of different number systems; use one kind of digit");
        }
        if ((checks & SpoofChecker.RESTRICTION_LEVEL) != 0) {
            return new InvalidArgumentException(field, "mixes scripts (" + describe(scriptsOf(name)) + "); use one script");
        }
        return new InvalidArgumentException(field, "must not contain invisible or stacked marks");
    }

    private static Set<UnicodeScript> scriptsOf(String name) {
        Set<UnicodeScript> scripts = new LinkedHashSet<>();
        // Common (ASCII digits and punctuation) and Inherited (most combining marks) take the script of their neighbours.
        name.codePoints().mapToObj(UnicodeScript::of)
                .filter(script -> script != UnicodeScript.COMMON && script != UnicodeScript.INHERITED)
                .forEach(scripts::add);
        return scripts;
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
