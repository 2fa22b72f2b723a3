package io.sessionauthority.service.user;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * bcrypt computed by the system's libcrypt (libxcrypt's {@code crypt_rn}), called through JNA.
 *
 * <p>Why not in Java: the hashing threads run under {@code SCHED_IDLE}, so that logins take only the
 * CPU that other calls leave. A Java thread that the kernel does not schedule cannot reach a
 * safepoint, and every collection waits for it: with the cores busy, a starved hashing thread held
 * safepoints up for as long as 230 ms, and every call in flight with them (docs/PERFORMANCE.md). A
 * thread inside a native call is already safe for the JVM, which goes on without it; it checks in
 * only when the call returns.
 *
 * <p>Loaded only where libcrypt has bcrypt and agrees with the Java implementation on a test vector
 * ({@link #load}); elsewhere the service keeps hashing in Java. Inputs are the pre-hashed,
 * base64-encoded passwords of {@link PasswordHasher}: 64 ASCII bytes, no NUL, below bcrypt's 72.
 */
final class NativeBcrypt {

    /** The libxcrypt calls used: both fail with NULL, never with a "*0" string that could be compared. */
    interface LibCrypt extends Library {
        Pointer crypt_rn(Pointer phrase, Pointer setting, Pointer data, int size);

        Pointer crypt_gensalt_rn(Pointer prefix, long count, Pointer randomBytes, int randomBytesLength, Pointer output, int outputSize);
    }

    /** sizeof(struct crypt_data) in libxcrypt 4.x is 32,768 bytes; crypt_rn refuses a smaller buffer. */
    private static final int DATA_SIZE = 32_768;
    private static final int SALT_BYTES = 16;
    /** A whole bcrypt hash, in any of the spellings of its version that the Java verifier reads. */
    private static final java.util.regex.Pattern BCRYPT_HASH = java.util.regex.Pattern.compile("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}");

    /** Room for the phrase (at most 72 bytes and its NUL) and then the setting (a whole hash: 60 and its NUL). */
    private static final int ARGUMENTS_SIZE = 256;
    private static final int SETTING_OFFSET = 128;

    private final LibCrypt crypt;

    /**
     * One work area per hashing thread, for crypt_rn's state (the key schedule) and for its
     * arguments, wiped after each use. Arguments in memory of our own, not Java arrays or strings
     * that JNA would copy into memory it mallocs per call: a hashing thread starved under
     * SCHED_IDLE must hold no lock that others need, malloc's included.
     */
    private final ThreadLocal<Memory> data = ThreadLocal.withInitial(() -> new Memory(DATA_SIZE));
    private final ThreadLocal<Memory> arguments = ThreadLocal.withInitial(() -> new Memory(ARGUMENTS_SIZE));

    private NativeBcrypt(LibCrypt crypt) {
        this.crypt = crypt;
    }

    /**
     * libcrypt's bcrypt, if it is there and hashes {@code testInput} with {@code testSetting} to
     * {@code expected} (what the Java implementation made of them); empty, with the reason, if not.
     */
    static Result load(byte[] testInput, String testSetting, String expected) {
        try {
            NativeBcrypt bcrypt = new NativeBcrypt(library());
            Optional<String> hashed = bcrypt.crypt(testInput, testSetting);
            if (hashed.isEmpty() || !hashed.get().equals(expected)) {
                return new Result(Optional.empty(), "libcrypt's bcrypt does not match the Java implementation's");
            }
            return new Result(Optional.of(bcrypt), "");
        } catch (LinkageError | RuntimeException e) {
            // No libcrypt, no crypt_rn (not libxcrypt), or JNA could not unpack its stub (no writable temp directory).
            return new Result(Optional.empty(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    record Result(Optional<NativeBcrypt> bcrypt, String whyNot) {
    }

    /**
     * libcrypt by the sonames libxcrypt has had, else by its development name: a runtime image
     * (ours, docker/minimal-os.sh) carries the library but not the development symlink, and a
     * soname is one dlopen where the bare name costs JNA a search of the library paths (13 ms of
     * every start, measured).
     */
    private static LibCrypt library() {
        UnsatisfiedLinkError first = null;
        for (String name : new String[] {"libcrypt.so.1", "libcrypt.so.2", "crypt"}) {
            try {
                return Native.load(name, LibCrypt.class);
            } catch (UnsatisfiedLinkError e) {
                first = first == null ? e : first;
            }
        }
        throw first;
    }

    /** A new setting ({@code $2b$<cost>$<salt>}) from 16 random bytes. */
    String setting(int cost, byte[] randomBytes) {
        if (randomBytes.length != SALT_BYTES) {
            throw new IllegalArgumentException("bcrypt takes " + SALT_BYTES + " bytes of salt");
        }
        Memory args = arguments.get();
        try {
            args.clear();
            args.write(0, "$2b$".getBytes(StandardCharsets.US_ASCII), 0, 4);
            args.write(16, randomBytes, 0, randomBytes.length);
            Pointer output = args.share(SETTING_OFFSET);
            if (crypt.crypt_gensalt_rn(args, cost, args.share(16), randomBytes.length, output, ARGUMENTS_SIZE - SETTING_OFFSET) == null) {
                throw new IllegalStateException("libcrypt refused a bcrypt setting of cost " + cost);
            }
            return output.getString(0, StandardCharsets.US_ASCII.name());
        } finally {
            args.clear();
        }
    }

    /** bcrypt of {@code input} under {@code setting} (a setting or a whole hash); empty if libcrypt refuses the setting. */
    Optional<String> crypt(byte[] input, String setting) {
        byte[] settingBytes = setting.getBytes(StandardCharsets.US_ASCII);
        if (input.length >= SETTING_OFFSET || settingBytes.length >= ARGUMENTS_SIZE - SETTING_OFFSET) {
            return Optional.empty(); // never for the service's inputs (64 bytes) and bcrypt settings (at most 60)
        }
        Memory work = data.get();
        Memory args = arguments.get();
        try {
            args.clear();
            args.write(0, input, 0, input.length); // NUL-terminated: the memory was cleared
            args.write(SETTING_OFFSET, settingBytes, 0, settingBytes.length);
            work.clear();
            Pointer hashed = crypt.crypt_rn(args, args.share(SETTING_OFFSET), work, DATA_SIZE);
            return hashed == null ? Optional.empty() : Optional.of(hashed.getString(0, StandardCharsets.US_ASCII.name()));
        } finally {
            work.clear();
            args.clear();
        }
    }

    /** Whether {@code input} hashes to {@code hash}, compared in constant time; a malformed hash never matches. */
    boolean verify(byte[] input, String hash) {
        if (!BCRYPT_HASH.matcher(hash).matches()) {
            return false; // libcrypt would also verify other schemes (MD5, SHA-crypt, yescrypt), which Java never does
        }
        return crypt(input, hash)
                .map(hashed -> MessageDigest.isEqual(hashed.getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII)))
                .orElse(false);
    }
}
