package io.sessionauthority.service.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class IdleSchedulingTest {

    private static final int SCHED_OTHER = 0;
    private static final int SCHED_IDLE = 5;

    /** The calling thread's scheduling policy: field 41 of its stat line. */
    private static int policy() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[41 - 3]);
    }

    private static boolean onLinuxWithChrt() {
        return Files.exists(Path.of("/proc/thread-self")) && System.getenv("PATH") != null
                && java.util.Arrays.stream(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, "chrt")));
    }

    @Test
    void theCallingThreadAndOnlyItRunsUnderSchedIdle() throws Exception {
        assumeTrue(onLinuxWithChrt(), "needs Linux and chrt (util-linux)");
        CompletableFuture<int[]> policies = new CompletableFuture<>();
        Thread hashing = new Thread(() -> {
            try {
                int before = policy();
                boolean entered = IdleScheduling.enter();
                policies.complete(new int[] {before, policy(), entered ? 1 : 0});
            } catch (Exception e) {
                policies.completeExceptionally(e);
            }
        });
        hashing.start();
        int[] seen = policies.get(10, TimeUnit.SECONDS);
        assertThat(seen[0]).isEqualTo(SCHED_OTHER);
        assertThat(seen[1]).isEqualTo(SCHED_IDLE);
        assertThat(seen[2]).isEqualTo(1);
        assertThat(policy()).as("the thread that started it").isEqualTo(SCHED_OTHER);
    }

    @Test
    void withoutAWorkingChrtTheThreadKeepsItsPolicyAndSaysSo() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self")), "needs Linux");
        for (String chrt : new String[] {"/nonexistent/chrt", "false"}) {
            CompletableFuture<int[]> seen = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    boolean entered = IdleScheduling.enter(chrt);
                    seen.complete(new int[] {entered ? 1 : 0, policy()});
                } catch (Exception e) {
                    seen.completeExceptionally(e);
                }
            });
            thread.start();
            int[] result = seen.get(10, TimeUnit.SECONDS);
            assertThat(result[0]).as(chrt).isZero();
            assertThat(result[1]).as(chrt).isEqualTo(SCHED_OTHER);
        }
    }
}
