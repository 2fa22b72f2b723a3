package io.sessionauthority.service.user;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import io.sessionauthority.service.error.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes made by another system, kept as Spring Security's DelegatingPasswordEncoder
 * writes them ({@code {id}encoded}), so a team migrating from it (or from anything that writes
 * bcrypt or PBKDF2) imports its users without a password reset. The service's own hashes never
 * start with '{' (they are {@code $2b$…} of a pre-hashed password, see {@link PasswordHasher}), so
 * the prefix alone says which rules a stored hash follows. An imported hash is only ever verified,
 * and replaced by the service's own at the user's first successful login.
 *
 * <ul>
 *   <li>{@code {bcrypt}$2a$…} ({@code $2b$}, {@code $2y$}): bcrypt of the password itself, its
 *       UTF-8 bytes cut at 72 as the systems that made them did;</li>
 *   <li>{@code {pbkdf2}<hex>}: Spring Security 5.5's defaults, PBKDF2 with HMAC-SHA1, 185,000
 *       iterations, an 8-byte salt; {@code {pbkdf2@SpringSecurity_v5_8}<hex>}: HMAC-SHA256, 310,000
 *       iterations, a 16-byte salt. The hex is the salt followed by a 32-byte key, without a secret.</li>
 *   <li>{@code {argon2}$argon2id$v=19$m=…,t=…,p=…$salt$hash} (also {@code {argon2@SpringSecurity_v5_8}}
 *       and a bare {@code $argon2id$…}): the PHC string format, checked by libargon2
 *       ({@link NativeArgon2}); at most {@value #ARGON2_MAX_MEMORY_KIB} KiB, {@value #ARGON2_MAX_PASSES}
 *       passes and {@value #ARGON2_MAX_LANES} lanes, so one login's check cannot take the host's memory.</li>
 * </ul>
 *
 * <p>Costs are bounded at import, since every check runs on the hashing threads all logins share:
 * bcrypt at most two above the service's own cost (each step doubles the work).
 */
final class ImportedHashes {

    static final String BCRYPT = "{bcrypt}";
    static final String PBKDF2_SHA1 = "{pbkdf2}";
    static final String PBKDF2_SHA256 = "{pbkdf2@SpringSecurity_v5_8}";
    static final String ARGON2 = "{argon2}";
    static final String ARGON2_SPRING_5_8 = "{argon2@SpringSecurity_v5_8}";
    /** 46 MiB: the most OWASP's Argon2id settings use (with one pass). */
    static final int ARGON2_MAX_MEMORY_KIB = 47_104;
    static final int ARGON2_MAX_PASSES = 10;
    /** libargon2 runs one thread per lane. */
    static final int ARGON2_MAX_LANES = 4;
    /** How many bcrypt cost steps above the service's own an imported hash may be. */
    static final int BCRYPT_COST_ABOVE_OWN = 2;
    private static final Pattern ARGON2ID_HASH = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,3}),p=(\\d{1,3})\\$[A-Za-z0-9+/]{11,86}\\$[A-Za-z0-9+/]{22,171}");
    private static final Pattern BCRYPT_HASH = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    private static final int KEY_BYTES = 32;

    /** One of Spring Security's PBKDF2 encodings: hex of the salt and the key. */
    private record Pbkdf2(String id, String algorithm, int iterations, int saltBytes) {
        Pattern hex() {
            return Pattern.compile("[0-9a-f]{" + 2 * (saltBytes + KEY_BYTES) + "}");
        }
    }

    private static final List<Pbkdf2> PBKDF2_FORMATS = List.of(
            new Pbkdf2(PBKDF2_SHA1, "PBKDF2WithHmacSHA1", 185_000, 8),
            new Pbkdf2(PBKDF2_SHA256, "PBKDF2WithHmacSHA256", 310_000, 16));

    private ImportedHashes() {
    }

    /** Whether {@code stored} is an imported hash rather than one of the service's own. */
    static boolean isImported(String stored) {
        return stored.startsWith("{");
    }

    /**
     * The stored form of a hash presented for import; INVALID_ARGUMENT naming {@code field}, with
     * what is accepted, for anything else (a hash of the service's own form included: it could not
     * be told apart from one of raw passwords).
     */
    static String checkImport(String field, String presented, int ownBcryptCost) {
        if (presented.startsWith("$2") && BCRYPT_HASH.matcher(presented).matches()) {
            return BCRYPT + checkBcryptCost(field, presented, ownBcryptCost);
        }
        if (presented.startsWith(BCRYPT) && BCRYPT_HASH.matcher(presented.substring(BCRYPT.length())).matches()) {
            return BCRYPT + checkBcryptCost(field, presented.substring(BCRYPT.length()), ownBcryptCost);
        }
        for (String argon2 : new String[] {"", ARGON2, ARGON2_SPRING_5_8}) {
            if (presented.startsWith(argon2 + "$argon2id$")) {
                return ARGON2 + checkArgon2id(field, presented.substring(argon2.length()));
            }
        }
        for (Pbkdf2 pbkdf2 : PBKDF2_FORMATS) {
            if (presented.startsWith(pbkdf2.id()) && pbkdf2.hex().matcher(presented.substring(pbkdf2.id().length())).matches()) {
                return presented;
            }
        }
        throw new InvalidArgumentException(field, "is not a hash this service can import: expected {bcrypt}$2a$… ($2b$, $2y$; cost 4 to 31), "
                + "{pbkdf2}<80 hex digits>, {pbkdf2@SpringSecurity_v5_8}<96 hex digits> or {argon2}$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>"
                + (presented.startsWith("{") ? " (got the id " + idOf(presented) + ")" : ""));
    }

    /** A presented hash's {@code {id}}, cut short: it is echoed in a refusal. */
    private static String idOf(String presented) {
        int end = presented.indexOf('}');
        return end > 0 && end < 40 ? presented.substring(0, end + 1) : "{" + presented.substring(1, Math.min(presented.length(), 16)) + "…";
    }

    private static String checkBcryptCost(String field, String hash, int ownBcryptCost) {
        int cost = Integer.parseInt(hash.substring(4, 6));
        if (cost > ownBcryptCost + BCRYPT_COST_ABOVE_OWN) {
            throw new InvalidArgumentException(field, "is a bcrypt hash of cost " + cost + "; at most " + (ownBcryptCost + BCRYPT_COST_ABOVE_OWN)
                    + " (two above this service's own " + ownBcryptCost + ") is imported, since every login's check runs on the hashing threads all logins share");
        }
        return hash;
    }

    /** The memory (KiB) of an Argon2id hash within the caps; -1 for one outside them or malformed. */
    private static long argon2MemoryWithinCaps(String hash) {
        var parts = ARGON2ID_HASH.matcher(hash);
        if (!parts.matches()) {
            return -1;
        }
        long memory = Long.parseLong(parts.group(1));
        int passes = Integer.parseInt(parts.group(2));
        int lanes = Integer.parseInt(parts.group(3));
        boolean within = memory <= ARGON2_MAX_MEMORY_KIB && passes >= 1 && passes <= ARGON2_MAX_PASSES && lanes >= 1
                && lanes <= ARGON2_MAX_LANES && memory >= 8L * lanes;
        return within ? memory : -1;
    }

    private static String checkArgon2id(String field, String hash) {
        var parts = ARGON2ID_HASH.matcher(hash);
        if (!parts.matches()) {
            throw new InvalidArgumentException(field, "is not an Argon2id hash in the PHC string format "
                    + "($argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt, base64 without padding>$<hash, base64 without padding>)");
        }
        long memory = Long.parseLong(parts.group(1));
        int passes = Integer.parseInt(parts.group(2));
        int lanes = Integer.parseInt(parts.group(3));
        if (argon2MemoryWithinCaps(hash) < 0) {
            throw new InvalidArgumentException(field, "has Argon2 parameters m=" + memory + ",t=" + passes + ",p=" + lanes
                    + " outside what a login may spend: at most m=" + ARGON2_MAX_MEMORY_KIB + " (KiB), t=" + ARGON2_MAX_PASSES
                    + ", p=" + ARGON2_MAX_LANES + " (and m at least 8 × p)");
        }
        if (!NativeArgon2.available()) {
            throw new InvalidArgumentException(field, "is an Argon2id hash, and this service's host has no libargon2 to check it "
                    + "(Debian: libargon2-1); nothing was imported for it");
        }
        return hash;
    }

    /**
     * Whether {@code password} matches the imported hash {@code stored}; a malformed one never
     * matches, nor one beyond the costs an import accepts today ({@code ownBcryptCost} is the
     * service's): such a hash, stored by an earlier version or before the service's own cost was
     * lowered, is never run, so it cannot hold a hashing thread for hours.
     */
    static boolean verify(String password, String stored, int ownBcryptCost) {
        if (stored.startsWith(BCRYPT)) {
            String hash = stored.substring(BCRYPT.length());
            return BCRYPT_HASH.matcher(hash).matches() && Integer.parseInt(hash.substring(4, 6)) <= ownBcryptCost + BCRYPT_COST_ABOVE_OWN
                    && verifyBcrypt(password, hash);
        } else if (stored.startsWith(ARGON2)) {
            String hash = stored.substring(ARGON2.length());
            long memory = argon2MemoryWithinCaps(hash);
            return memory > 0 && NativeArgon2.verifyArgon2id(hash, password, memory);
        }
        for (Pbkdf2 pbkdf2 : PBKDF2_FORMATS) {
            if (stored.startsWith(pbkdf2.id())) {
                return verifyPbkdf2(password, stored.substring(pbkdf2.id().length()), pbkdf2);
            }
        }
        return false;
    }

    private static boolean verifyBcrypt(String password, String hash) {
        if (!BCRYPT_HASH.matcher(hash).matches()) {
            return false;
        }
        // The version of the verifier only picks how long passwords are cut; the hash's own version is used.
        BCrypt.Result result = BCrypt.verifyer(BCrypt.Version.VERSION_2A, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A))
                .verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.US_ASCII));
        return result.validFormat && result.verified;
    }

    private static boolean verifyPbkdf2(String password, String hex, Pbkdf2 format) {
        if (!format.hex().matcher(hex).matches()) {
            return false;
        }
        byte[] saltAndKey = HexFormat.of().parseHex(hex);
        byte[] salt = Arrays.copyOfRange(saltAndKey, 0, format.saltBytes());
        byte[] expected = Arrays.copyOfRange(saltAndKey, format.saltBytes(), saltAndKey.length);
        // As Spring's Pbkdf2PasswordEncoder: the JDK's PBKDF2 takes the password's characters as UTF-8.
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, format.iterations(), KEY_BYTES * 8);
        try {
            byte[] derived = SecretKeyFactory.getInstance(format.algorithm()).generateSecret(spec).getEncoded();
            return MessageDigest.isEqual(derived, expected);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(format.algorithm() + " is missing from this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }
}
