package io.sessionauthority.service.user;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import io.sessionauthority.service.error.OverloadedException;
import java.time.Duration;

/**
 * Argon2id verification by the reference implementation, libargon2 (Debian's {@code libargon2-1}),
 * for imported hashes only ({@link ImportedHashes}): the service never makes Argon2 hashes. A
 * library of a few dozen kilobytes the system already has, rather than Bouncy Castle's Argon2 (its
 * class closure is 274 classes, which the image's size budget has no room for); and like bcrypt in
 * libcrypt, the work runs outside the JVM's safepoints. Where libargon2 is missing, Argon2 hashes
 * are refused at import, so no user is ever created with a hash nobody here can check.
 */
final class NativeArgon2 {

    /** libargon2's calls: {@code ARGON2_OK} (0) on a match, a negative error code otherwise. */
    interface LibArgon2 extends Library {
        int argon2id_verify(String encoded, byte[] password, NativeLong passwordLength);
    }

    static final int ARGON2_OK = 0;
    private static final Optional<LibArgon2> LIBRARY = load();
    /**
     * The native memory all checks of one replica may take at once, in MiB: each takes its hash's
     * memory (46 MiB at most, see ImportedHashes) outside the heap, which a sidecar-sized container
     * has no room for many times over. A check that cannot get its share within
     * {@link #MEMORY_WAIT} is shed (RESOURCE_EXHAUSTED, retry), so guesses against imported users
     * hold a hashing thread at most that long before every other login gets it back.
     */
    static final int MEMORY_BUDGET_MIB = 64;
    static final Duration MEMORY_WAIT = Duration.ofMillis(500);
    private static final Semaphore MEMORY = new Semaphore(MEMORY_BUDGET_MIB);

    private NativeArgon2() {
    }

    /** Whether libargon2 could be loaded here. */
    static boolean available() {
        return LIBRARY.isPresent();
    }

    /**
     * Whether {@code password} matches {@code encoded} ({@code $argon2id$v=19$m=…}), a hash whose
     * memory is {@code memoryKib}; false where libargon2 is missing. Fails with OverloadedException
     * when other checks hold the memory budget past {@link #MEMORY_WAIT}.
     */
    static boolean verifyArgon2id(String encoded, String password, long memoryKib) {
        if (LIBRARY.isEmpty()) {
            return false;
        }
        int mib = (int) Math.max(1, Math.min(MEMORY_BUDGET_MIB, (memoryKib + 1023) / 1024));
        try {
            if (!MEMORY.tryAcquire(mib, MEMORY_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new OverloadedException("PASSWORD_HASHING_BUSY", "too many logins in progress; retry shortly", Duration.ofSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverloadedException("PASSWORD_HASHING_BUSY", "too many logins in progress; retry shortly", Duration.ofSeconds(1));
        }
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        try {
            return LIBRARY.get().argon2id_verify(encoded, bytes, new NativeLong(bytes.length)) == ARGON2_OK;
        } finally {
            MEMORY.release(mib);
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * By its soname, else by its development name: a runtime image carries the library, not the
     * symlink, and a soname is one dlopen where the bare name costs JNA a search (13 ms measured).
     */
    private static Optional<LibArgon2> load() {
        for (String name : new String[] {"libargon2.so.1", "libargon2.so.0", "argon2"}) {
            try {
                return Optional.of(Native.load(name, LibArgon2.class));
            } catch (UnsatisfiedLinkError | RuntimeException notHere) {
                // the next name
            } catch (LinkageError noJna) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
