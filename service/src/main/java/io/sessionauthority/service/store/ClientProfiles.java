package io.sessionauthority.service.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A session's device metadata (device name and User-Agent) is stored once per user and device in
 * {@code sa:{<uid>}:clients}, under an id derived from its content, and the session keeps only that
 * id. A typical User-Agent is 110–140 bytes: inline, it pushed every session hash past Redis's
 * default listpack limit (64-byte values) into a hashtable of three times the size, while a user's
 * sessions mostly come from the same few devices. The scripts store a profile in slices of at most
 * 64 bytes (prelude.lua), so the profiles hash stays a listpack too.
 *
 * <p>Profiles never change (the id is a hash of the content), so a replica may keep any it has
 * read: {@link #known} lets Validate's plain read stay one round trip. The cache is bounded (a
 * typical profile is ~300 bytes, the longest allowed ~2 KB); when full it starts again, and a miss
 * costs one script call that reads the profile again.
 */
final class ClientProfiles {

    /** The device name and the User-Agent of one profile. */
    record Profile(String deviceName, String userAgent) {
    }

    /** Device name and User-Agent, joined by a line feed: neither may hold a control character. */
    private static final char SEPARATOR = '\n';
    /** 48 bits of SHA-256: ids need only be unique among one user's devices. */
    private static final int ID_BYTES = 6;

    private final int capacity;
    private final ConcurrentHashMap<Key, Profile> known = new ConcurrentHashMap<>();

    private record Key(String userId, String profileId) {
    }

    ClientProfiles(int capacity) {
        this.capacity = capacity;
    }

    /** What the store writes: {@code device name LF User-Agent}; empty when the session has neither. */
    static String encode(String deviceName, String userAgent) {
        return deviceName.isEmpty() && userAgent.isEmpty() ? "" : deviceName + SEPARATOR + userAgent;
    }

    static Profile decode(String stored) {
        int separator = stored.indexOf(SEPARATOR);
        return separator < 0 ? new Profile("", stored) : new Profile(stored.substring(0, separator), stored.substring(separator + 1));
    }

    /** The profile's id: 8 URL-safe base64 characters of its content's SHA-256. */
    static String idOf(String encoded) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(encoded.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, ID_BYTES));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The profile if this replica has read it before; null if not. */
    Profile known(String userId, String profileId) {
        return known.get(new Key(userId, profileId));
    }

    void remember(String userId, String profileId, Profile profile) {
        if (known.size() >= capacity) {
            // Full: start again. Each profile read again costs one script call, once; simpler and
            // more predictable than an eviction order over a concurrent map.
            known.clear();
        }
        known.put(new Key(userId, profileId), profile);
    }
}
