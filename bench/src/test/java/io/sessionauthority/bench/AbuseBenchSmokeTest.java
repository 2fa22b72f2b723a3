package io.sessionauthority.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short smoke run of the abuse benchmark (two attacks for a moment each), so it cannot rot: the
 * attack processes start and report, the table and every target line are written. The figures are
 * judged by full runs (docs/SECURITY.md), never here.
 */
@Tag("process")
class AbuseBenchSmokeTest {

    @Test
    void writesTheTableAndATargetPerAttack(@TempDir Path results) throws Exception {
        Path jar = Path.of("..", "service", "target", "session-authority.jar");
        Path markdown = new AbuseBench(new AbuseBench.Options(Duration.ofSeconds(1), List.of("slowloris", "revoke-flood"), results, 0.2, 1))
                .run(jar);
        String report = Files.readString(markdown);
        assertThat(report).contains("| none (2 windows, between the rounds) |", "| slowloris |", "| revoke-flood |",
                "revoke-flood: no event without a revocation", "slowloris: every probe within 1 s");
        assertThat(report).as("each attack process reported what it achieved").contains("connections opened", "forged revokes answered");
        assertThat(report.lines().filter(line -> line.startsWith("- MET") || line.startsWith("- MISSED"))).hasSize(7);
    }
}
