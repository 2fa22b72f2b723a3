package io.sessionauthority.service.secondfactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** TOTP against RFC 6238's own test vectors (SHA-1), and the sealing of its secrets. */
@Tag("unit")
class TotpTest {

    private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void theRfcsVectorsForSha1() {
        Map<Long, String> vectors = Map.of(59L, "94287082", 1111111109L, "07081804", 1111111111L, "14050471",
                1234567890L, "89005924", 2000000000L, "69279037", 20000000000L, "65353130");
        vectors.forEach((seconds, code) ->
                assertThat(Totp.code(RFC_SECRET, Totp.step(Instant.ofEpochSecond(seconds)), 8)).as("T=%d", seconds).isEqualTo(code));
        // Six digits, as authenticator apps show them: the vector's last six.
        assertThat(Totp.codeAt(RFC_SECRET, Instant.ofEpochSecond(59))).isEqualTo("287082");
    }

    @Test
    void aCodeOfTheStepBeforeOrAfterIsAcceptedAndNoOther() {
        Instant now = Instant.ofEpochSecond(1111111111L);
        long step = Totp.step(now);
        for (long offset = -1; offset <= 1; offset++) {
            String code = Totp.code(RFC_SECRET, step + offset, Totp.DIGITS);
            assertThat(Totp.matchingStep(RFC_SECRET, code, now)).isEqualTo(step + offset);
        }
        assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step + 2, Totp.DIGITS), now)).isEqualTo(-1);
        assertThat(Totp.matchingStep(RFC_SECRET, Totp.code(RFC_SECRET, step - 2, Totp.DIGITS), now)).isEqualTo(-1);
    }

    @Test
    void aSealedSecretOpensOnlyForItsUserAndUnderAConfiguredKey() {
        SecureRandom random = new SecureRandom();
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        random.nextBytes(k1);
        random.nextBytes(k2);
        SecretBox box = new SecretBox(Map.of("k1", k1), "k1", random);
        String sealed = box.seal("user-a", RFC_SECRET);
        assertThat(sealed).startsWith("k1:").doesNotContain("12345678901234567890");
        assertThat(box.open("user-a", sealed)).isEqualTo(RFC_SECRET);
        assertThatThrownBy(() -> box.open("user-b", sealed)).as("bound to its user").isInstanceOf(IllegalStateException.class);

        SecretBox rotated = new SecretBox(Map.of("k1", k1, "k2", k2), "k2", random);
        assertThat(rotated.isStale(sealed)).isTrue();
        assertThat(rotated.open("user-a", sealed)).isEqualTo(RFC_SECRET);
        assertThat(rotated.seal("user-a", RFC_SECRET)).startsWith("k2:");
        assertThatThrownBy(() -> new SecretBox(Map.of("k2", k2), "k2", random).open("user-a", sealed))
                .hasMessageContaining("not configured");
        assertThatThrownBy(() -> new SecretBox(Map.of("k1", new byte[16]), "k1", random)).hasMessageContaining("32");
    }

    @Test
    void recoveryCodesAreTenDistinctAndTheirIdsIgnoreCaseAndDashes() {
        java.util.List<String> codes = RecoveryCodes.generate(new SecureRandom());
        assertThat(codes).hasSize(10).doesNotHaveDuplicates().allMatch(code -> code.matches("[A-Z0-9]{4}(-[A-Z0-9]{4}){3}"));
        assertThat(RecoveryCodes.idOf(codes.get(0).toLowerCase().replace("-", " "))).isEqualTo(RecoveryCodes.idOf(codes.get(0)));
        assertThat(RecoveryCodes.idOf(codes.get(0))).isNotEqualTo(RecoveryCodes.idOf(codes.get(1)));
    }
}
