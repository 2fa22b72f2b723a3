package io.sessionauthority.service.user;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * bcrypt with a pre-hash, so no password is ever silently truncated.
 *
 * <p>bcrypt reads only 72 bytes; a long passphrase (or 19 emoji) would lose its tail. Every password
 * is therefore first reduced with HMAC-SHA-384 to 48 bytes, written as 64 base64 characters, and that
 * is what bcrypt hashes. The HMAC key is a fixed, versioned label: its job is domain separation
 * (the pre-hash of a password here matches no plain SHA-384 elsewhere), not secrecy.
 *
 * <p>Blocking and CPU-heavy by design (about 50-80 ms at cost 10): call it only from
 * {@link HashingPool}, never from an event-loop thread.
 */
public final class PasswordHasher {

    private static final byte[] PREHASH_KEY = "session-authority/password-prehash/v1".getBytes(StandardCharsets.US_ASCII);

    private final int cost;
    private final BCrypt.Hasher hasher;
    // Strict: a bcrypt input over 72 bytes is an error, never a silent truncation (ours are 64).
    private final BCrypt.Verifyer verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2B, LongPasswordStrategies.strict(BCrypt.Version.VERSION_2B));
    private final CompletableFuture<byte[]> dummyHash;

    public PasswordHasher(int cost, SecureRandom random) {
        this.cost = cost;
        this.hasher = BCrypt.with(BCrypt.Version.VERSION_2B, random, LongPasswordStrategies.strict(BCrypt.Version.VERSION_2B));
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

    /** A new hash of {@code password}, at the configured cost. */
    public String hash(String password) {
        byte[] prehashed = prehash(password);
        try {
            return new String(hasher.hash(cost, prehashed), StandardCharsets.US_ASCII);
        } finally {
            Arrays.fill(prehashed, (byte) 0);
        }
    }

    /** Whether {@code password} matches {@code hash}; a malformed hash never matches. */
    public boolean verify(String password, String hash) {
        return verify(password, hash.getBytes(StandardCharsets.US_ASCII));
    }

    /** Spends the same work as {@link #verify} and always answers false: for users that do not exist. */
    public boolean verifyNobody(String password) {
        verify(password, dummyHash.join());
        return false;
    }

    /** Whether {@code hash} was made at a lower cost than the configured one and should be upgraded. */
    public boolean needsRehash(String hash) {
        return costOf(hash) < cost;
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
            BCrypt.Result result = verifyer.verify(prehashed, hash);
            return result.validFormat && result.verified;
        } finally {
            Arrays.fill(prehashed, (byte) 0);
        }
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
