package io.sessionauthority.service.security;

import io.sessionauthority.service.validation.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The known callers, and how to recognize one from what it presents. API keys are kept only as
 * SHA-256 digests (a leaked configuration yields no usable key) and compared in constant time
 * against every configured digest, so the time taken says nothing about which keys exist.
 */
public final class CallerRegistry {

    private record KeyEntry(byte[] digest, Caller caller) {
    }

    private final List<KeyEntry> apiKeys = new ArrayList<>();
    private final Map<String, Caller> tlsIdentities = new HashMap<>();

    public CallerRegistry(Collection<CallerProperties> callers) {
        for (CallerProperties properties : callers) {
            if (properties.getPermissions().isEmpty()) {
                throw new IllegalArgumentException("session-authority.security.callers." + properties.getName()
                        + ".permissions is empty: grant at least one of validate, login, admin");
            }
            if (properties.getApiKeySha256().isEmpty() && properties.getTlsIdentities().isEmpty()) {
                throw new IllegalArgumentException("session-authority.security.callers." + properties.getName()
                        + " has neither api-key-sha256 nor tls-identities: it could never be recognized");
            }
            Caller caller = new Caller(properties.getName(), EnumSet.copyOf(properties.getPermissions()));
            for (String hex : properties.getApiKeySha256()) {
                byte[] digest = parseDigest(properties.getName(), hex);
                apiKeys.add(new KeyEntry(digest, caller));
            }
            for (String identity : properties.getTlsIdentities()) {
                if (tlsIdentities.putIfAbsent(identity, caller) != null) {
                    throw new IllegalArgumentException("the TLS identity " + identity + " is given to two callers");
                }
            }
        }
    }

    public boolean isEmpty() {
        return apiKeys.isEmpty() && tlsIdentities.isEmpty();
    }

    /** The caller that holds {@code apiKey}, if any. */
    public Optional<Caller> byApiKey(String apiKey) {
        byte[] presented = sha256(apiKey);
        Caller found = null;
        for (KeyEntry entry : apiKeys) {
            // No early exit: every digest is compared, whether or not one matched already.
            if (MessageDigest.isEqual(entry.digest(), presented) && found == null) {
                found = entry.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The caller whose certificate identity this is, if any. */
    public Optional<Caller> byTlsIdentity(Optional<String> identity) {
        return identity.map(tlsIdentities::get);
    }

    /** Whether any caller is recognized by an API key. */
    public boolean hasApiKeys() {
        return !apiKeys.isEmpty();
    }

    /** The hex SHA-256 of an API key: what goes into the configuration. */
    public static String digestOf(String apiKey) {
        return HexFormat.of().formatHex(sha256(apiKey));
    }

    private static byte[] parseDigest(String caller, String hex) {
        String clean = hex.trim().toLowerCase(Locale.ROOT);
        if (!clean.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("session-authority.security.callers." + caller
                    + ".api-key-sha256 must hold 64 hex characters (SHA-256 of the key), not the key itself");
        }
        return HexFormat.of().parseHex(clean);
    }

    private static byte[] sha256(String value) {
        return Sha256.of(value.getBytes(StandardCharsets.UTF_8));
    }
}
