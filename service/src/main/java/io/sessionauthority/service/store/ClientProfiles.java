package io.sessionauthority.service.store;

import io.sessionauthority.service.validation.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A session's device metadata (device name and User-Agent) is stored once for every session with
 * that content, in {@code sa:client:<id>}, where the id is derived from the content, and the
 * session keeps only the id. A typical User-Agent is 110–140 bytes, and a population of millions of
 * users has a few hundred of them: kept per session it would push the session hash past Redis's
 * default listpack limit (64-byte values) into a hashtable of three times the size, and kept per
 * user and device (as versions before this one did, in {@code sa:{<uid>}:clients}) it still cost
 * every user ~270 bytes a device. Users name their devices after them ("iPhone", "MacBook"), so the
 * pair recurs too.
 *
 * <p>Profiles never change (the id is a hash of the content), so a replica may keep any it has
 * read: {@link #known} lets Validate's plain read stay one round trip, and with shared profiles a
 * few hundred entries serve every user. The cache is bounded (a typical profile is ~150 bytes, the
 * longest allowed ~2 KB); when full it starts again, and a miss costs one more read.
 *
 * <p>The id is 96 bits of SHA-256: no two contents in any fleet's lifetime share one by chance, and
 * making a given content's id hold another (so that someone else's sessions showed a device name
 * of one's choosing) would take a second preimage, 2<sup>96</sup> hashes. Ids of the user's own
 * profiles written before were 48 bits (8 characters); they are read, never written.
 */
final class ClientProfiles {

    /** The device name and the User-Agent of one profile. */
    record Profile(String deviceName, String userAgent) {
        static final Profile NONE = new Profile("", "");
    }

    /** Device name and User-Agent, joined by a line feed: neither may hold a control character. */
    private static final char SEPARATOR = '\n';
    /** 96 bits of SHA-256 (see above). */
    private static final int ID_BYTES = 12;
    /** The scope of shared profiles in {@link #known}: user ids are never empty. */
    private static final String SHARED = "";

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

    /** The profile's id: 16 URL-safe base64 characters of its content's SHA-256. */
    static String idOf(String encoded) {
        byte[] digest = Sha256.of(encoded.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, ID_BYTES));
    }

    /** The shared profile if this replica has read or written it before; null if not. */
    Profile knownShared(String profileId) {
        return known(SHARED, profileId);
    }

    void rememberShared(String profileId, Profile profile) {
        remember(SHARED, profileId, profile);
    }

    /** The user's own profile (written by an earlier version) if this replica has read it before; null if not. */
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
