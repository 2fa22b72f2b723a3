package io.sessionauthority.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short smoke run of the whole performance benchmark (every scenario for a moment, small
 * baselines and memory sample), so it cannot rot. The figures are judged by full runs, never here.
 */
@Tag("process")
class PerformanceBenchSmokeTest {

    @Test
    void writesTheTableWithRatiosAndThePlot(@TempDir Path results) throws Exception {
        Path jar = Path.of("..", "service", "target", "session-authority.jar");
        PerformanceBench.Options options = new PerformanceBench.Options(Duration.ofMillis(500), 16, 2, 500, 2_000, results, 0, java.util.List.of());
        Path markdown = new PerformanceBench(options).run(jar);
        String report = Files.readString(markdown);
        assertThat(report).contains("| Validate |", "| Touch |", "| mix @ half its peak: Validate (hot) |", "| mix @ half its peak: Login |", "| Login |",
                "Real population", "`java -jar` without flags", "(the README)",
                "Validate @ half peak during a login burst", "× health Check", "redis-benchmark", "bytes per session", "Targets:",
                "share of samples");
        assertThat(report.lines().filter(line -> line.startsWith("| Validate |")).findFirst().orElseThrow()).doesNotContain("| 0 | 0 |");
        try (var files = Files.list(results)) {
            assertThat(files.filter(file -> file.toString().endsWith(".png"))).hasSize(1);
        }
    }
}
