package io.sessionauthority.service.scheduling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a thread under Linux's {@code SCHED_IDLE} policy: it runs only on CPU time no other thread
 * wants, and any other thread that wakes up takes the CPU from it at once. That is what the
 * password-hashing threads need: bcrypt keeps a core busy for ~80 ms a hash, and at the normal
 * policy, even at nice 19, a Validate that wakes up on that core can wait behind it for a
 * scheduler slice, several times over in one call. Measured on the 2-core bench machine
 * (docs/PERFORMANCE.md): Validate's p99 during a login burst was 1.2 and 2.9 × its p99 without the
 * burst at nice 19 (two runs), and a median 1.4 × under SCHED_IDLE (three runs).
 *
 * <p>Java has no call for it, so the thread asks {@code chrt} (util-linux, in Debian- and Ubuntu-based
 * images) to change its own policy: one short-lived process per hashing thread, once. Lowering one's
 * own scheduling needs no privilege. Where that fails (no Linux, no {@code chrt}), the thread keeps
 * the normal policy at the lowest Java priority, which Linux honours only with
 * {@code -XX:ThreadPriorityPolicy=1}.
 */
public final class IdleScheduling {

    private static final Logger LOG = LoggerFactory.getLogger(IdleScheduling.class);
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private IdleScheduling() {
    }

    /** Moves the calling thread to SCHED_IDLE; false, with nothing changed, where that is not possible. */
    public static boolean enter() {
        return enter("chrt");
    }

    static boolean enter(String chrtProgram) {
        String failure;
        try {
            if (!Files.exists(THREAD_SELF)) {
                failure = "no /proc/thread-self (not Linux)";
            } else {
                // A link to "<pid>/task/<tid>".
                String tid = Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
                Process chrt = new ProcessBuilder(chrtProgram, "--idle", "--pid", "0", tid)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!chrt.waitFor(5, TimeUnit.SECONDS)) {
                    chrt.destroyForcibly();
                    failure = "chrt did not answer within 5 s";
                } else if (chrt.exitValue() != 0) {
                    failure = "chrt exited with " + chrt.exitValue();
                } else {
                    report(true, "");
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = "chrt could not be run (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        report(false, failure);
        return false;
    }

    private static void report(boolean idle, String failure) {
        if (!REPORTED.compareAndSet(false, true)) {
            return;
        }
        if (idle) {
            LOG.info("Password hashing runs under SCHED_IDLE: logins take only the CPU that other calls leave");
        } else {
            LOG.warn("Password hashing runs at the normal scheduling policy ({}): a login burst can slow other calls; "
                    + "see docs/PERFORMANCE.md", failure);
        }
    }
}
