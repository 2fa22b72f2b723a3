package io.sessionauthority.service.secondfactor;

import io.sessionauthority.service.error.PreconditionFailedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * TOTP secrets encrypted at rest: AES-256-GCM under a key from configuration, the user id as
 * associated data (a secret copied to another user's record does not decrypt), stored as
 * {@code <key id>:<base64 of nonce ‖ ciphertext>}. Keys rotate by id: secrets sealed under an
 * older key still open while it is configured, and are sealed again under the active key the next
 * time they are used ({@link #isStale}).
 */
public final class SecretBox {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKeySpec> keys;
    private final String activeKeyId;
    private final SecureRandom random;

    /**
     * @param keys        key id → 32-byte key
     * @param activeKeyId the key new secrets are sealed under; empty when no key is configured (no
     *                    second factor can be enrolled then)
     */
    public SecretBox(Map<String, byte[]> keys, String activeKeyId, SecureRandom random) {
        this.keys = new LinkedHashMap<>();
        keys.forEach((id, key) -> {
            if (key.length != 32) {
                throw new IllegalArgumentException("second-factor key '" + id + "' is " + key.length + " bytes; AES-256 needs 32");
            }
            if (id.isEmpty() || id.contains(":")) {
                throw new IllegalArgumentException("a second-factor key id is not empty and has no ':'");
            }
            this.keys.put(id, new SecretKeySpec(key, "AES"));
        });
        if (!activeKeyId.isEmpty() && !this.keys.containsKey(activeKeyId)) {
            throw new IllegalArgumentException("the active second-factor key '" + activeKeyId + "' is not among the configured keys");
        }
        this.activeKeyId = activeKeyId;
        this.random = random;
    }

    /** Parses {@code id:base64,id:base64} (the configuration's form). */
    public static Map<String, byte[]> parseKeys(String configured) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (String entry : configured.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("session-authority.second-factor.keys: expected id:base64-key, got an entry without an id");
            }
            keys.put(trimmed.substring(0, colon), Base64.getDecoder().decode(trimmed.substring(colon + 1)));
        }
        return keys;
    }

    public String seal(String userId, byte[] secret) {
        if (activeKeyId.isEmpty()) {
            throw new PreconditionFailedException("SECOND_FACTOR_KEY_MISSING",
                    "second factors need an encryption key: set session-authority.second-factor.keys and active-key");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] sealed = cipher(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), nonce, userId, secret);
        return activeKeyId + ":" + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                .put(nonce).put(sealed).array());
    }

    public byte[] open(String userId, String stored) {
        int colon = stored.indexOf(':');
        SecretKeySpec key = colon > 0 ? keys.get(stored.substring(0, colon)) : null;
        if (key == null) {
            throw new PreconditionFailedException("SECOND_FACTOR_KEY_MISSING", "the key this user's second factor was encrypted"
                    + " under is not configured (session-authority.second-factor.keys): keep retired keys until every secret is resealed");
        }
        byte[] box = Base64.getDecoder().decode(stored.substring(colon + 1));
        byte[] nonce = java.util.Arrays.copyOf(box, NONCE_BYTES);
        return cipher(Cipher.DECRYPT_MODE, key, nonce, userId, java.util.Arrays.copyOfRange(box, NONCE_BYTES, box.length));
    }

    /** Whether {@code stored} was sealed under another key than the active one. */
    public boolean isStale(String stored) {
        return !activeKeyId.isEmpty() && !stored.startsWith(activeKeyId + ":");
    }

    private static byte[] cipher(int mode, SecretKeySpec key, byte[] nonce, String userId, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(userId.getBytes(StandardCharsets.US_ASCII));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a second-factor secret does not decrypt under its key: the stored value or the key is wrong", e);
        }
    }
}
