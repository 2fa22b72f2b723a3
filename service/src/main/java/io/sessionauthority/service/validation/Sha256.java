package io.sessionauthority.service.validation;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 for the call path: one digest object per thread.
 *
 * <p>{@code MessageDigest.getInstance} looks the algorithm up among the security providers and
 * builds a new digest, with its working arrays, every time. Every Validate derives its session id
 * with SHA-256, so that lookup and its garbage were on the hottest path there is (a fifth of a hot
 * Validate's own allocations, JFR, docs/PERFORMANCE.md).
 */
public final class Sha256 {

    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

    private Sha256() {
    }

    /**
     * This thread's SHA-256, reset. Finish with it ({@code digest(...)}) before anything else may
     * ask for it on this thread: a digest fed by two callers at once yields neither's hash.
     */
    public static MessageDigest digest() {
        MessageDigest digest = DIGESTS.get();
        digest.reset();
        return digest;
    }

    /** SHA-256 of {@code bytes}. */
    public static byte[] of(byte[] bytes) {
        return digest().digest(bytes);
    }
}
