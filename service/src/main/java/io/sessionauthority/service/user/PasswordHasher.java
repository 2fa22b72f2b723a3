package io.sessionauthority.service.user;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * bcrypt with a pre-hash, so no password is ever silently truncated.
 *
 * <p>bcrypt reads only 72 bytes; a long passphrase (or 19 emoji) would lose its tail. Every password
 * is therefore first reduced with HMAC-SHA-384 to 48 bytes, written as 64 base64 characters, and that
 * is what bcrypt hashes. The HMAC key is a fixed, versioned label: its job is domain separation
 * (the pre-hash of a password here matches no plain SHA-384 elsewhere), not secrecy.
 *
 * <p>Blocking and CPU-heavy by design (about 50-80 ms at cost 10): call it only from
 * {@link HashingPool}, never from an event-loop thread. The work runs in the system's libcrypt where
 * it has a bcrypt that agrees with this library's ({@link NativeBcrypt} says why), else in Java.
 */
public final class PasswordHasher {

    private static final Logger LOG = LoggerFactory.getLogger(PasswordHasher.class);
    private static final byte[] PREHASH_KEY = "session-authority/password-prehash/v1".getBytes(StandardCharsets.US_ASCII);

    private final int cost;
    private final BCrypt.Hasher hasher;
    // Strict: a bcrypt input over 72 bytes is an error, never a silent truncation (ours are 64).
    private final BCrypt.Verifyer verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2B, LongPasswordStrategies.strict(BCrypt.Version.VERSION_2B));
    private final CompletableFuture<byte[]> dummyHash;
    private final SecureRandom random;
    /** libcrypt's bcrypt; empty: this library's, in Java. */
    private final Optional<NativeBcrypt> nativeBcrypt;

    /** With bcrypt in libcrypt where it can be. */
    public PasswordHasher(int cost, SecureRandom random) {
        this(cost, random, true);
    }

    public PasswordHasher(int cost, SecureRandom random, boolean inLibcrypt) {
        this.cost = cost;
        this.random = random;
        this.hasher = BCrypt.with(BCrypt.Version.VERSION_2B, random, LongPasswordStrategies.strict(BCrypt.Version.VERSION_2B));
        this.nativeBcrypt = inLibcrypt ? loadNative() : Optional.empty();
        if (NativeArgon2.available()) {
            LOG.info("Imported Argon2id hashes are checked by the system's libargon2");
        } else {
            LOG.info("Argon2id hashes cannot be imported here: the system has no libargon2 (Debian: libargon2-1)");
        }
        // Verifying against this when a user does not exist makes "no such user" cost what "wrong password"
        // costs. Made on a thread of its own: a bcrypt round on the main thread would delay every start.
        this.dummyHash = new CompletableFuture<>();
        Thread maker = new Thread(() -> {
            try {
                dummyHash.complete(hasher.hash(cost, prehash("no user has this password, it only burns time")));
            } catch (RuntimeException e) {
                dummyHash.completeExceptionally(e);
            }
        }, "password-dummy-hash");
        maker.setDaemon(true);
        maker.start();
    }

    /** The bcrypt cost of the hashes this service makes. */
    public int cost() {
        return cost;
    }

    /** Whether the work runs in libcrypt (see {@link NativeBcrypt}). */
    public boolean inLibcrypt() {
        return nativeBcrypt.isPresent();
    }

    /** A new hash of {@code password}, at the configured cost. */
    public String hash(String password) {
        byte[] prehashed = prehash(password);
        try {
            if (nativeBcrypt.isPresent()) {
                byte[] salt = new byte[16];
                random.nextBytes(salt);
                String setting = nativeBcrypt.get().setting(cost, salt);
                return nativeBcrypt.get().crypt(prehashed, setting)
                        .orElseThrow(() -> new IllegalStateException("libcrypt refused its own bcrypt setting"));
            }
            return new String(hasher.hash(cost, prehashed), StandardCharsets.US_ASCII);
        } finally {
            Arrays.fill(prehashed, (byte) 0);
        }
    }

    /**
     * Whether {@code password} matches {@code hash}, one of this service's or one imported from
     * another system ({@link ImportedHashes}); a malformed hash never matches.
     */
    public boolean verify(String password, String hash) {
        if (ImportedHashes.isImported(hash)) {
            return ImportedHashes.verify(password, hash, cost);
        }
        return verify(password, hash.getBytes(StandardCharsets.US_ASCII));
    }

    /** Spends the same work as {@link #verify} and always answers false: for users that do not exist. */
    public boolean verifyNobody(String password) {
        verify(password, dummyHash.join());
        return false;
    }

    /** Whether {@code hash} was imported, or made at a lower cost than the configured one, and should be upgraded. */
    public boolean needsRehash(String hash) {
        return ImportedHashes.isImported(hash) || costOf(hash) < cost;
    }

    static int costOf(String hash) {
        // Modular crypt format: $2b$10$<salt+hash>
        if (hash.length() < 7 || hash.charAt(0) != '$' || hash.charAt(3) != '$' || hash.charAt(6) != '$') {
            return -1;
        }
        try {
            return Integer.parseInt(hash.substring(4, 6));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private boolean verify(String password, byte[] hash) {
        byte[] prehashed = prehash(password);
        try {
            if (nativeBcrypt.isPresent()) {
                return nativeBcrypt.get().verify(prehashed, new String(hash, StandardCharsets.US_ASCII));
            }
            BCrypt.Result result = verifyer.verify(prehashed, hash);
            return result.validFormat && result.verified;
        } finally {
            Arrays.fill(prehashed, (byte) 0);
        }
    }

    /** libcrypt's bcrypt if it hashes a test vector as this library does (cost 4: about a millisecond). */
    private Optional<NativeBcrypt> loadNative() {
        byte[] input = prehash("a test vector, nobody's password");
        byte[] salt = "sixteen salt byt".getBytes(StandardCharsets.US_ASCII);
        String expected = new String(hasher.hash(4, salt, input), StandardCharsets.US_ASCII);
        NativeBcrypt.Result loaded;
        try {
            loaded = NativeBcrypt.load(input, expected.substring(0, 29), expected);
        } catch (LinkageError e) {
            // JNA itself is not on the class path (an embedding that left it out): NativeBcrypt cannot even load.
            loaded = new NativeBcrypt.Result(Optional.empty(), e.toString());
        }
        if (loaded.bcrypt().isPresent()) {
            LOG.info("bcrypt runs in the system's libcrypt: a hashing thread starved of CPU never holds up the JVM's safepoints");
        } else {
            LOG.info("bcrypt runs in Java ({}): under SCHED_IDLE, a starved hashing thread can hold up the JVM's safepoints "
                    + "while the cores are busy", loaded.whyNot());
        }
        return loaded.bcrypt();
    }

    private static byte[] prehash(String password) {
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        try {
            Mac mac = Mac.getInstance("HmacSHA384");
            mac.init(new SecretKeySpec(PREHASH_KEY, "HmacSHA384"));
            return Base64.getEncoder().encode(mac.doFinal(utf8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA384", e);
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }
}
