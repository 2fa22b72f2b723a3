package io.sessionauthority.service.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * bcrypt in libcrypt and in Java are interchangeable: each verifies what the other hashed, so a
 * replica of either kind (or a rollback) reads every stored hash.
 */
@Tag("unit")
class NativeBcryptTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void onLinuxWithLibxcryptTheWorkRunsInLibcrypt() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "libxcrypt is a Linux library");
        assertThat(new PasswordHasher(10, RANDOM).inLibcrypt()).isTrue();
        assertThat(new PasswordHasher(10, RANDOM, false).inLibcrypt()).isFalse();
    }

    @Test
    void eachVerifiesWhatTheOtherHashed() {
        PasswordHasher inLibcrypt = new PasswordHasher(10, RANDOM);
        assumeTrue(inLibcrypt.inLibcrypt(), "no libxcrypt here");
        PasswordHasher inJava = new PasswordHasher(10, RANDOM, false);

        String fromLibcrypt = inLibcrypt.hash("correct horse battery staple");
        String fromJava = inJava.hash("correct horse battery staple");
        assertThat(fromLibcrypt).startsWith("$2b$10$").hasSize(60).isNotEqualTo(inLibcrypt.hash("correct horse battery staple"));
        assertThat(inJava.verify("correct horse battery staple", fromLibcrypt)).isTrue();
        assertThat(inLibcrypt.verify("correct horse battery staple", fromJava)).isTrue();
        assertThat(inLibcrypt.verify("correct horse battery stapl", fromJava)).isFalse();
        assertThat(inJava.verify("Correct horse battery staple", fromLibcrypt)).isFalse();
        // Other spellings of the version, as other bcrypt libraries write them.
        assertThat(inLibcrypt.verify("correct horse battery staple", "$2a$" + fromJava.substring(4))).isTrue();
        assertThat(inLibcrypt.verify("correct horse battery staple", "$2y$" + fromJava.substring(4))).isTrue();
    }

    @Test
    void aMalformedHashNeverMatches() {
        PasswordHasher inLibcrypt = new PasswordHasher(10, RANDOM);
        assumeTrue(inLibcrypt.inLibcrypt(), "no libxcrypt here");
        String hash = inLibcrypt.hash("correct horse battery staple");
        for (String malformed : new String[] {"", "*0", "$2b$10$", hash.substring(0, 40), "$1$abcdefgh$" + hash.substring(29, 51),
                hash.replace("$10$", "$99$"), "$2b$10$" + "!".repeat(53)}) {
            assertThat(inLibcrypt.verify("correct horse battery staple", malformed)).as(malformed).isFalse();
        }
    }
}
