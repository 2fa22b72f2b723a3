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
    /** Salt 00 01 … 0f. */
    static final String PBKDF2_SHA1 = "{pbkdf2}000102030405060708090a0b0c0d0e0f"
            + "f026ac581cf1d0d04b0723fb369b4bd297686964f5af43631fc2ef1a54b5f5ae";
    static final String PBKDF2_SHA256 = "{pbkdf2@SpringSecurity_v5_8}000102030405060708090a0b0c0d0e0f"
            + "7b8ad24392905caa0cc9ebb5b45a445371cca3ab69958986ede276f3458f73fa";
    static final String UTF8_PASSWORD = "pässwörd ✓";
    static final String PBKDF2_SHA256_UTF8 = "{pbkdf2@SpringSecurity_v5_8}000102030405060708090a0b0c0d0e0f"
            + "2de6397ff2de8258c490db7eb9b2612c13a5b172e85738605d00ea6a882f9f09";

    @Test
    void bcryptOfEveryVersionVerifies() {
        for (String hash : new String[] {BCRYPT_2A, BCRYPT_2B, BCRYPT_2Y}) {
            String stored = ImportedHashes.checkImport("password_hash", hash);
            assertThat(stored).isEqualTo("{bcrypt}" + hash);
            assertThat(ImportedHashes.checkImport("password_hash", stored)).isEqualTo(stored);
            assertThat(ImportedHashes.verify(PASSWORD, stored)).as(hash).isTrue();
            assertThat(ImportedHashes.verify(PASSWORD + "!", stored)).as(hash).isFalse();
        }
    }

    @Test
    void bcryptReadsTheFirst72BytesAsItsMakersDid() {
        String stored = ImportedHashes.checkImport("password_hash", BCRYPT_LONG);
        assertThat(ImportedHashes.verify(LONG_PASSWORD, stored)).isTrue();
        assertThat(ImportedHashes.verify("é".repeat(36) + "x", stored)).as("the 73rd byte on is not read").isTrue();
        assertThat(ImportedHashes.verify("é".repeat(35), stored)).isFalse();
    }

    @Test
    void springSecurityPbkdf2OfBothGenerationsVerifies() {
        assertThat(ImportedHashes.verify(PASSWORD, ImportedHashes.checkImport("password_hash", PBKDF2_SHA1))).isTrue();
        assertThat(ImportedHashes.verify(PASSWORD, ImportedHashes.checkImport("password_hash", PBKDF2_SHA256))).isTrue();
        assertThat(ImportedHashes.verify(UTF8_PASSWORD, PBKDF2_SHA256_UTF8)).as("characters as UTF-8").isTrue();
        assertThat(ImportedHashes.verify(PASSWORD + "!", PBKDF2_SHA256)).isFalse();
        assertThat(ImportedHashes.verify(PASSWORD, PBKDF2_SHA256.replace("{pbkdf2@SpringSecurity_v5_8}", "{pbkdf2}")))
                .as("the id picks the algorithm").isFalse();
    }

    /** Made by the reference implementation's own tool ({@code argon2 somesaltsomesalt -id -t 2 -m 14 -p 1 -e}). */
    static final String ARGON2ID = "$argon2id$v=19$m=16384,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qfoprj9ajhdUr6/5hZz/+c1WYOqhEfzbgZK4UD8v88k";
    static final String ARGON2ID_64M = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$mtB7vZKFuEQDVzeZe5lTtf3BPC1e5BL1UKy7IW/SpV0";

    @Test
    void argon2idOfSpringSecuritysShapeVerifies() {
        assertThat(NativeArgon2.available()).as("libargon2 (Debian's libargon2-1; .ci/run installs it)").isTrue();
        for (String presented : new String[] {ARGON2ID, "{argon2}" + ARGON2ID, "{argon2@SpringSecurity_v5_8}" + ARGON2ID, ARGON2ID_64M}) {
            String stored = ImportedHashes.checkImport("password_hash", presented);
            assertThat(stored).startsWith("{argon2}$argon2id$");
            assertThat(ImportedHashes.verify(PASSWORD, stored)).as(presented).isTrue();
            assertThat(ImportedHashes.verify(PASSWORD + "!", stored)).as(presented).isFalse();
        }
        String tampered = "{argon2}" + ARGON2ID.replace("Qfop", "Qfoq");
        assertThat(ImportedHashes.verify(PASSWORD, tampered)).isFalse();
    }

    @Test
    void argon2ParametersBeyondWhatALoginMaySpendAreRefused() {
        for (String costly : new String[] {ARGON2ID.replace("m=16384", "m=131072"), ARGON2ID.replace("t=2", "t=11"),
                ARGON2ID.replace("p=1", "p=17"), ARGON2ID.replace("m=16384,t=2,p=1", "m=8,t=2,p=4")}) {
            assertThatThrownBy(() -> ImportedHashes.checkImport("password_hash", costly)).as(costly)
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("at most m=65536");
        }
        assertThatThrownBy(() -> ImportedHashes.checkImport("password_hash", "{argon2}$argon2id$v=19$m=16384,t=2,p=1$c2FsdA$aGFzaA"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("PHC string format");
    }

    @Test
    void anythingElseIsRefusedWithWhatIsAccepted() {
        for (String bad : new String[] {"", "plain text", "{noop}password", "$argon2i$v=19$m=4096,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$giwRySMiQ4bQNm5MB/tY8xpQCKsqlTaBuHZ1OzI5ILQ",
                "{bcrypt}$2x$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS", "$2a$03$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS",
                "{pbkdf2}00", "{pbkdf2}" + "G".repeat(96), "{bcrypt}" + BCRYPT_2A + "x"}) {
            assertThatThrownBy(() -> ImportedHashes.checkImport("password_hash", bad)).as(bad)
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                        assertThat(e.field()).isEqualTo("password_hash");
                        assertThat(e.getMessage()).contains("{bcrypt}$2a$", "{pbkdf2@SpringSecurity_v5_8}", "{argon2}$argon2id$");
                    });
        }
        assertThat(ImportedHashes.verify(PASSWORD, "{bcrypt}garbage")).isFalse();
        assertThat(ImportedHashes.verify(PASSWORD, "{unknown}x")).isFalse();
    }

    @Test
    void theServiceVerifiesImportedHashesAndAlwaysUpgradesThem() {
        PasswordHasher hasher = new PasswordHasher(4, new SecureRandom(), false);
        String stored = ImportedHashes.checkImport("password_hash", BCRYPT_2Y);
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
