package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Text shortened for the wire counts characters, never splits one, and says it was cut. */
@Tag("unit")
class ProtoMappingTest {

    @Test
    void shortTextIsKeptWhole() {
        assertThat(ProtoMapping.shortened("iPhone", 6)).isEqualTo("iPhone");
        assertThat(ProtoMapping.shortened("", 6)).isEmpty();
    }

    @Test
    void longTextIsCutToTheLimitWithAnEllipsis() {
        assertThat(ProtoMapping.shortened("Mozilla/5.0", 4)).isEqualTo("Moz…");
    }

    @Test
    void aCharacterOutsideTheBasicPlaneIsNeverSplit() {
        String cut = ProtoMapping.shortened("😀".repeat(10), 4);
        assertThat(cut).isEqualTo("😀😀😀…");
        assertThat(cut.chars().filter(c -> Character.isSurrogate((char) c)).count()).as("only whole pairs").isEqualTo(6);
    }
}
