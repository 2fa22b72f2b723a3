package io.sessionauthority.service.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sessionauthority.service.error.InvalidArgumentException;
import java.security.SecureRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hashes made elsewhere verify as their makers would. The vectors come from other implementations:
 * bcrypt from libxcrypt ({@code crypt.crypt} in Python), PBKDF2 from Python's {@code hashlib}, both
 * in the shape Spring Security's encoders write.
 */
@Tag("unit")
class ImportedHashesTest {

    static final String PASSWORD = "correct horse battery staple";
    static final String BCRYPT_2A = "$2a$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS";
    static final String BCRYPT_2B = "$2b$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS";
    static final String BCRYPT_2Y = "$2y$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS";
    /** 40 × "é": 80 UTF-8 bytes, of which bcrypt reads 72. */
    static final String LONG_PASSWORD = "é".repeat(40);
    static final String BCRYPT_LONG = "$2a$04$abcdefghijklmnopqrstuuKiIlCeXB6chNXkLyAo8C7XcLPzh6zUe";
    /** Made by Spring Security 6.5.6 itself: {@code Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_5()} (an 8-byte salt). */
    static final String PBKDF2_SHA1 = "{pbkdf2}9eb6bdb941ab21137cc352bdfa6c7d3f9d4cbb577a0092e3c2a149d284369960b8cee5deafd481f9";
    /** Made by Spring Security 6.5.6: {@code defaultsForSpringSecurity_v5_8()}. */
    static final String SPRING_PBKDF2_SHA256 = "{pbkdf2@SpringSecurity_v5_8}dbc0f96ab0bcdef802e2f0e2c020fd5c30461d843ba52007763f4d1e255eef80"
            + "b2ddc021bcf9860f20496e7c188ee163";
    /** Made by Spring Security 6.5.6: {@code Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8()} and {@code _v5_2()}. */
    static final String SPRING_ARGON2_V5_8 = "{argon2@SpringSecurity_v5_8}$argon2id$v=19$m=16384,t=2,p=1$OSmYrAfoRLdD1T3IZbdDmw$"
            + "VBO67J9/bawex6w3AxA4lLrJoVULHiJZF7ZYJJWwDWU";
    static final String SPRING_ARGON2_V5_2 = "{argon2}$argon2id$v=19$m=4096,t=3,p=1$bIdGQvG7Nrpw1KrSC/vfVA$xAQ7Igx6ww4jlETV+/EnSJd0b2Q0nPr+G5DizeaQBfI";
    /** Made by Spring Security 6.5.6: {@code new BCryptPasswordEncoder(BCryptVersion.$2Y, 5)}, and its default encoder's {@code {bcrypt}}. */
    static final String SPRING_BCRYPT_2Y = "{bcrypt}$2y$05$8BBEFX/7/wYcJCEF4sbl3eVL3QF0FXywUbDVCUohuPY/FfC8B2Ohu";
    static final String SPRING_BCRYPT_DEFAULT = "{bcrypt}$2a$10$nQRQ1aPaSqXyz5cyXGWdb.xpSlXBm6Uy7wyCnrt1lF4GFP1TiILP6";
    /** Salt 00 01 … 0f; made by Python's hashlib. */
    static final String PBKDF2_SHA256 = "{pbkdf2@SpringSecurity_v5_8}000102030405060708090a0b0c0d0e0f"
            + "7b8ad24392905caa0cc9ebb5b45a445371cca3ab69958986ede276f3458f73fa";
    static final String UTF8_PASSWORD = "pässwörd ✓";
    static final String PBKDF2_SHA256_UTF8 = "{pbkdf2@SpringSecurity_v5_8}000102030405060708090a0b0c0d0e0f"
            + "2de6397ff2de8258c490db7eb9b2612c13a5b172e85738605d00ea6a882f9f09";

    @Test
    void bcryptOfEveryVersionVerifies() {
        for (String hash : new String[] {BCRYPT_2A, BCRYPT_2B, BCRYPT_2Y}) {
            String stored = ImportedHashes.checkImport("password_hash", hash, 10);
            assertThat(stored).isEqualTo("{bcrypt}" + hash);
            assertThat(ImportedHashes.checkImport("password_hash", stored, 10)).isEqualTo(stored);
            assertThat(ImportedHashes.verify(PASSWORD, stored, 10)).as(hash).isTrue();
            assertThat(ImportedHashes.verify(PASSWORD + "!", stored, 10)).as(hash).isFalse();
        }
    }

    @Test
    void bcryptReadsTheFirst72BytesAsItsMakersDid() {
        String stored = ImportedHashes.checkImport("password_hash", BCRYPT_LONG, 10);
        assertThat(ImportedHashes.verify(LONG_PASSWORD, stored, 10)).isTrue();
        assertThat(ImportedHashes.verify("é".repeat(36) + "x", stored, 10)).as("the 73rd byte on is not read").isTrue();
        assertThat(ImportedHashes.verify("é".repeat(35), stored, 10)).isFalse();
    }

    /** Every encoder of Spring Security's DelegatingPasswordEncoder that is imported, as Spring itself wrote them. */
    @Test
    void hashesWrittenBySpringSecurityItselfVerify() {
        for (String spring : new String[] {PBKDF2_SHA1, SPRING_PBKDF2_SHA256, SPRING_ARGON2_V5_8, SPRING_ARGON2_V5_2, SPRING_BCRYPT_2Y,
                SPRING_BCRYPT_DEFAULT}) {
            String stored = ImportedHashes.checkImport("password_hash", spring, 10);
            assertThat(ImportedHashes.verify(PASSWORD, stored, 10)).as(spring).isTrue();
            assertThat(ImportedHashes.verify(PASSWORD.toUpperCase(java.util.Locale.ROOT), stored, 10)).as(spring).isFalse();
        }
    }

    @Test
    void bcryptFarCostlierThanTheServicesOwnIsRefused() {
        String cost13 = "$2a$13$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS";
        assertThatThrownBy(() -> ImportedHashes.checkImport("password_hash", cost13, 10))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("at most 12");
        assertThat(ImportedHashes.checkImport("password_hash", cost13.replace("$13$", "$12$"), 10)).startsWith("{bcrypt}$2a$12$");
        assertThatThrownBy(() -> ImportedHashes.checkImport("password_hash", "{bcrypt}" + cost13.replace("$13$", "$31$"), 10))
                .isInstanceOf(InvalidArgumentException.class);
    }

    /**
     * A hash beyond today's caps, stored before them (or before the service's own cost was lowered),
     * is never run: these are the right password's, yet they answer false at once.
     */
    @Test
    void aStoredHashBeyondTheCapsIsNeverRun() {
        String bcryptCost13 = "{bcrypt}$2a$13$abcdefghijklmnopqrstuuRYtVfQ2Ymk/Enz9QZkdUVE4x4XHlr/m"; // libxcrypt
        assertThat(ImportedHashes.verify(PASSWORD, bcryptCost13, 11)).isTrue();
        assertThat(ImportedHashes.verify(PASSWORD, bcryptCost13, 10)).isFalse();
        String argon2With64MiB = "{argon2}$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$mtB7vZKFuEQDVzeZe5lTtf3BPC1e5BL1UKy7IW/SpV0";
        assertThat(ImportedHashes.verify(PASSWORD, argon2With64MiB, 10)).isFalse();
    }

    @Test
    void springSecurityPbkdf2OfBothGenerationsVerifies() {
        assertThat(ImportedHashes.verify(PASSWORD, ImportedHashes.checkImport("password_hash", PBKDF2_SHA1, 10), 10)).isTrue();
        assertThat(ImportedHashes.verify(PASSWORD, ImportedHashes.checkImport("password_hash", PBKDF2_SHA256, 10), 10)).isTrue();
        assertThat(ImportedHashes.verify(UTF8_PASSWORD, PBKDF2_SHA256_UTF8, 10)).as("characters as UTF-8").isTrue();
        assertThat(ImportedHashes.verify(PASSWORD + "!", PBKDF2_SHA256, 10)).isFalse();
        assertThat(ImportedHashes.verify(PASSWORD, PBKDF2_SHA256.replace("{pbkdf2@SpringSecurity_v5_8}", "{pbkdf2}"), 10))
                .as("the id picks the algorithm").isFalse();
    }

    /**
     * Made by the reference implementation's own tool ({@code argon2 somesaltsomesalt -id -t 2 -m 14 -p 1 -e};
     * the 4-lane one with {@code -t 3 -k 32768 -p 4}).
     */
    static final String ARGON2ID = "$argon2id$v=19$m=16384,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qfoprj9ajhdUr6/5hZz/+c1WYOqhEfzbgZK4UD8v88k";
    static final String ARGON2ID_4_LANES = "$argon2id$v=19$m=32768,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$PTWnJpordo3yxtqbipBWnQ8C7h8b61h+R3uH6OcLfVY";

    @Test
    void argon2idOfSpringSecuritysShapeVerifies() {
        assertThat(NativeArgon2.available()).as("libargon2 (Debian's libargon2-1; .ci/run installs it)").isTrue();
        for (String presented : new String[] {ARGON2ID, "{argon2}" + ARGON2ID, "{argon2@SpringSecurity_v5_8}" + ARGON2ID, ARGON2ID_4_LANES}) {
            String stored = ImportedHashes.checkImport("password_hash", presented, 10);
            assertThat(stored).startsWith("{argon2}$argon2id$");
            assertThat(ImportedHashes.verify(PASSWORD, stored, 10)).as(presented).isTrue();
            assertThat(ImportedHashes.verify(PASSWORD + "!", stored, 10)).as(presented).isFalse();
        }
        String tampered = "{argon2}" + ARGON2ID.replace("Qfop", "Qfoq");
        assertThat(ImportedHashes.verify(PASSWORD, tampered, 10)).isFalse();
    }

    @Test
    void argon2ParametersBeyondWhatALoginMaySpendAreRefused() {
        for (String costly : new String[] {ARGON2ID.replace("m=16384", "m=47105"), ARGON2ID.replace("t=2", "t=11"),
                ARGON2ID.replace("p=1", "p=5"), ARGON2ID.replace("m=16384,t=2,p=1", "m=8,t=2,p=4")}) {
            assertThatThrownBy(() -> ImportedHashes.checkImport("password_hash", costly, 10)).as(costly)
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("at most m=47104");
        }
        assertThatThrownBy(() -> ImportedHashes.checkImport("password_hash", "{argon2}$argon2id$v=19$m=16384,t=2,p=1$c2FsdA$aGFzaA", 10))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("PHC string format");
    }

    @Test
    void anythingElseIsRefusedWithWhatIsAccepted() {
        for (String bad : new String[] {"", "plain text", "{noop}password", "{pbkdf2}" + "0".repeat(96), "{" + "x".repeat(5000) + "}y", "$argon2i$v=19$m=4096,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$giwRySMiQ4bQNm5MB/tY8xpQCKsqlTaBuHZ1OzI5ILQ",
                "{bcrypt}$2x$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS", "$2a$03$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS",
                "{pbkdf2}00", "{pbkdf2}" + "G".repeat(96), "{bcrypt}" + BCRYPT_2A + "x"}) {
            assertThatThrownBy(() -> ImportedHashes.checkImport("password_hash", bad, 10)).as(bad)
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                        assertThat(e.field()).isEqualTo("password_hash");
                        assertThat(e.getMessage()).contains("{bcrypt}$2a$", "{pbkdf2@SpringSecurity_v5_8}", "{argon2}$argon2id$");
                    });
        }
        assertThat(ImportedHashes.verify(PASSWORD, "{bcrypt}garbage", 10)).isFalse();
        assertThat(ImportedHashes.verify(PASSWORD, "{unknown}x", 10)).isFalse();
    }

    @Test
    void theServiceVerifiesImportedHashesAndAlwaysUpgradesThem() {
        PasswordHasher hasher = new PasswordHasher(4, new SecureRandom(), false);
        String stored = ImportedHashes.checkImport("password_hash", BCRYPT_2Y, 10);
        assertThat(hasher.verify(PASSWORD, stored)).isTrue();
        assertThat(hasher.verify("wrong", stored)).isFalse();
        assertThat(hasher.needsRehash(stored)).isTrue();
        assertThat(hasher.needsRehash(PBKDF2_SHA256)).isTrue();
        String own = hasher.hash(PASSWORD);
        assertThat(ImportedHashes.isImported(own)).isFalse();
        assertThat(hasher.needsRehash(own)).isFalse();
        assertThat(hasher.verify(PASSWORD, BCRYPT_2B)).as("a bare $2b$ is the service's own form: of a pre-hashed password").isFalse();
    }
}
