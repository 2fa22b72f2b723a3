package io.sessionauthority.service.store;

/**
 * The Redis schema: every key and every field the service writes, named here and nowhere else in
 * Java. The Lua scripts in {@code resources/store} use the same short names; each script's header
 * says which keys and fields it touches, and {@code KeyLayoutIntegrationTest} holds this layout
 * against what every operation really writes.
 *
 * <pre>
 * sa:username:&lt;username&gt;      string  user id of a normalized username             no TTL
 * sa:lookalike:&lt;skeleton&gt;     string  user id holding a look-alike skeleton         no TTL
 * sa:{&lt;uid&gt;}:user              hash    un username, pw bcrypt hash, ct created;      no TTL
 *                                        tf second factor state, tfs its encrypted
 *                                        secret, tfl last accepted step, tfr recovery
 *                                        code ids;
 *                                        gen generation, genk session kept at the last
 *                                        revoke-all, genr its end reason (from the first
 *                                        revoke-all on); d:&lt;device id&gt; when a known
 *                                        device is forgotten (pruned by logins);
 *                                        s:&lt;sid&gt; the session's idle expiry (the user's
 *                                        index: live sessions, and those expired within
 *                                        forget-after, read as gone after it and pruned
 *                                        by logins)
 * sa:{&lt;uid&gt;}:s:&lt;sid&gt;           hash    g generation (absent: 0), ct created,         TTL = idle expiry
 *                                        ax absolute expiry, ix idle expiry, ls last
 *                                        seen, ip address, p shared client profile
 *                                        id, a:&lt;name&gt; attributes, dv device (one-per-
 *                                        device policy only), at/am/al when not a
 *                                        password-only login (auth time, methods, level),
 *                                        after a rotation: tg
 *                                        rotations, tk current token's validator, tt
 *                                        its issue time, tn its nonce, tp replaced
 *                                        token's validator, tx its grace end, tr when a
 *                                        step-up replaced it: its level|auth time|methods
 *                                        (tc when a ConfirmTotp raised the session since);
 *                                        tq/ty/ts the same of the token before it, while
 *                                        its grace lasts at the next rotation
 *                                        (sessions written
 *                                        before shared profiles hold c, a profile id in
 *                                        clients; before profiles, un, ua and dn)
 * sa:client:&lt;id&gt;             string  device name LF User-Agent, shared by every     TTL = the latest
 *                                        session with that content; the id is 96 bits  absolute expiry of
 *                                        of its SHA-256 (ClientProfiles)                a session using it
 * sa:{&lt;uid&gt;}:clients           hash    read only: client profile id → device name LF  TTL = the latest
 *                                        User-Agent of sessions written before shared   absolute expiry of
 *                                        profiles, in 64-byte slices: &lt;id&gt;, &lt;id&gt;.1, ...;  a session using it
 *                                        pruned by logins and revokes
 * sa:{&lt;uid&gt;}:sessions          zset    no longer written: sid scored by idle        TTL = last score +
 *                                        expiry, as versions before kept the index;     forget-after
 *                                        read beside the s:&lt;sid&gt; fields, moved into
 *                                        them (and deleted) by the first script that
 *                                        writes to the index
 * sa:{&lt;uid&gt;}:revoked           zset    sid scored by when to forget the tombstone   TTL = last score
 * sa:{&lt;uid&gt;}:ends              hash    sid → why it ended (EndReason code), kept    TTL = the latest
 *                                        with its tombstone or index entry; 'x' also      entry's need
 *                                        marks a live session capped at its absolute
 *                                        expiry (how it will end)
 * sa:{&lt;uid&gt;}:devices           zset    read only: device id scored by when it is   TTL = last score
 *                                        forgotten, as versions before kept the known
 *                                        devices; moved into the user hash (d:&lt;id&gt;)
 *                                        by the user's next login, revoke-all or
 *                                        password change
 * sa:{revocations}              stream  events that ended sessions: u user, s session   trimmed to the retention
 *                                        ("" = all), x kept session, r reason, t time    on every append
 * sa:throttle:&lt;scope&gt;:&lt;id&gt;      hash    f failures, lu locked until, a:&lt;id&gt; an     TTL = the later of lock end
 *                                        attempt not yet settled (scope ip, user_ip,    and now + failure window
 *                                        user, user_day, device, or for second-factor    (user_day, otp_day:
 *                                        codes otp and otp_day, by user id)              a day)
 * </pre>
 *
 * <p>Every key of one user carries the hash tag {@code {<uid>}}, so they share one Redis Cluster
 * slot and one Lua script can change them together. Times are epoch milliseconds. The session id
 * {@code sid} and the device id are one-way hashes of their tokens: no key or value holds a token
 * in any form. The index is kept correct by the scripts themselves (pruned on every write), never
 * by keyspace notifications, which Cluster, restarts and managed Redis lose. Shared client
 * profiles belong to no user: each is in a slot of its own, written before the login's script and
 * read by the service, never by a script.
 */
public final class RedisSchema {

    static final String PREFIX = "sa:";

    private RedisSchema() {
    }

    /** Fields of the entries of {@code sa:{revocations}}. */
    static final class RevocationFields {
        static final String USER = "u";
        static final String SESSION = "s";
        static final String EXCEPT = "x";
        static final String REASON = "r";
        static final String TIME = "t";

        private RevocationFields() {
        }
    }

    /** The revocation log: one stream in one Cluster slot (its own hash tag), read by every replica. */
    public static String revocations() {
        return PREFIX + "{revocations}";
    }

    /** Fields of {@code sa:{<uid>}:user}. */
    static final class UserFields {
        static final String USERNAME = "un";
        static final String PASSWORD_HASH = "pw";
        /**
         * The SHA-1 digest of the hash a rehash at login replaced (the same password), until the
         * next password change: a login verified against it, racing the rehash, still starts.
         */
        static final String REPLACED_HASH = "pwp";
        static final String CREATED = "ct";
        /** Written by the scripts (revoke-all, password change); read by Validate's pipelined read. */
        static final String GENERATION = "gen";
        static final String GENERATION_KEPT = "genk";
        /** The TOTP second factor: 'p' enrolled but not confirmed, 'a' active; absent: none. */
        static final String TOTP_STATE = "tf";
        /** Its secret, encrypted: {@code <key id>:<base64 of nonce and AES-GCM ciphertext>} (SecretBox). */
        static final String TOTP_SECRET = "tfs";
        /** The time step of the last code accepted: no code of it or before is accepted again. */
        static final String TOTP_LAST_STEP = "tfl";
        /** The unused recovery codes' one-way ids, separated by commas. */
        static final String RECOVERY_CODES = "tfr";
        /**
         * Prefix of the user's known devices: {@code d:<device id>} → when it is forgotten (epoch
         * ms), device tokens of successful logins (see {@link RedisSchema#devices}).
         */
        static final String KNOWN_DEVICE = "d:";
        /**
         * Prefix of the user's session index: {@code s:<sid>} → the session's idle expiry (epoch
         * ms), written and pruned by the scripts only (prelude.lua {@code session_index}).
         */
        static final String SESSION_INDEX = "s:";

        private UserFields() {
        }
    }

    /** Fields of {@code sa:{<uid>}:s:<sid>}. */
    static final class SessionFields {
        static final String GENERATION = "g";
        static final String CREATED = "ct";
        static final String ABSOLUTE_EXPIRY = "ax";
        static final String IDLE_EXPIRY = "ix";
        static final String LAST_SEEN = "ls";
        static final String IP_ADDRESS = "ip";
        /** The id of the session's shared client profile, {@code sa:client:<id>}. */
        static final String SHARED_CLIENT_PROFILE = "p";
        /**
         * Only for a session started under the one-per-device limit policy: the one-way id of the
         * device token its login handed out, so that device's next login finds the session it replaces.
         */
        static final String DEVICE = "dv";
        /** When the user last authenticated (a step-up); absent: at creation. */
        static final String AUTH_TIME = "at";
        /** How, as RFC 8176 method references separated by spaces; absent: {@code pwd}. */
        static final String AUTH_METHODS = "am";
        /** The assurance level: 0 (a login awaiting its second factor), 1 or 2; absent: 1. */
        static final String ASSURANCE_LEVEL = "al";
        /** Token rotation (SessionTokens): absent until the session's first rotation. How many it had. */
        static final String TOKEN_GENERATION = "tg";
        /** The current token's validator. */
        static final String TOKEN = "tk";
        /** When the current token was handed out. */
        static final String TOKEN_ISSUED = "tt";
        /** The nonce the current token was derived under from the previous one. */
        static final String TOKEN_NONCE = "tn";
        /** The replaced token's validator, accepted until {@link #GRACE_END}. */
        static final String PREVIOUS_TOKEN = "tp";
        static final String GRACE_END = "tx";
        /**
         * Present when a step-up replaced the previous token: how its holder had authenticated, as
         * {@code level|auth time|methods} (the {@link #ASSURANCE_LEVEL}, {@link #AUTH_TIME} and
         * {@link #AUTH_METHODS} the session had, the time empty for none), which it is answered
         * at within its grace. A record of another shape reads as the lowest level (a login
         * awaiting its second factor): the safe side.
         */
        static final String REPLACED_BY_STEP_UP = "tr";
        /** As {@link #REPLACED_BY_STEP_UP}, when a ConfirmTotp raised the session within the previous token's grace. */
        static final String RAISED_BY_CONFIRMATION = "tc";
        /**
         * The token {@link #PREVIOUS_TOKEN} had replaced, when the last rotation came within its
         * grace: accepted until {@link #EARLIER_GRACE_END}, as {@link #EARLIER_AUTHENTICATION} says
         * its holder authenticated (as {@link #REPLACED_BY_STEP_UP}; absent: as the session did).
         */
        static final String EARLIER_TOKEN = "tq";
        static final String EARLIER_GRACE_END = "ty";
        static final String EARLIER_AUTHENTICATION = "ts";
        /** Written by earlier versions only: the id of the session's entry in {@code sa:{<uid>}:clients}. */
        static final String CLIENT_PROFILE = "c";
        /** Written by earlier versions only: now the user's username and the client profile hold them. */
        static final String USERNAME = "un";
        static final String USER_AGENT = "ua";
        static final String DEVICE_NAME = "dn";
        /**
         * Not stored: the scripts add it to the fields they answer, with the content of the
         * session's client profile (and {@code un}, the user's username).
         */
        static final String CLIENT_PROFILE_CONTENT = "cp";
        /** Prefix of an attribute's field: {@code a:<name>}. */
        static final String ATTRIBUTE = "a:";

        private SessionFields() {
        }
    }

    public static String username(String normalizedUsername) {
        return PREFIX + "username:" + normalizedUsername;
    }

    /** Claims a username's look-alike skeleton, so no two users have confusable names. */
    public static String lookalike(String skeleton) {
        return PREFIX + "lookalike:" + skeleton;
    }

    public static String user(String userId) {
        return tagged(userId) + "user";
    }

    public static String session(String userId, String sessionId) {
        return sessionPrefix(userId) + sessionId;
    }

    /** What every session key of the user starts with; scripts append session ids to it. */
    public static String sessionPrefix(String userId) {
        return tagged(userId) + "s:";
    }

    /** Device metadata shared by every session with that content (ClientProfiles): in a Cluster slot of its own. */
    public static String sharedClientProfile(String profileId) {
        return PREFIX + "client:" + profileId;
    }

    /** The device metadata of the user's sessions written before shared profiles, once per device. */
    public static String clientProfiles(String userId) {
        return tagged(userId) + "clients";
    }

    /**
     * Where versions before kept the user's session index (session ids scored by idle expiry); now
     * it is fields of the user's hash ({@link UserFields#SESSION_INDEX}). Read until the first script
     * that writes to the user's index moves it.
     */
    public static String sessionIndex(String userId) {
        return tagged(userId) + "sessions";
    }

    public static String revokedSessions(String userId) {
        return tagged(userId) + "revoked";
    }

    /** Why the user's sessions ended, by session id (EndReason codes), as long as they are remembered. */
    public static String sessionEnds(String userId) {
        return tagged(userId) + "ends";
    }

    /**
     * Where versions before kept the user's known devices (device tokens of successful logins, by
     * their one-way device id); now they are fields of the user's hash ({@link UserFields#KNOWN_DEVICE}).
     */
    public static String devices(String userId) {
        return tagged(userId) + "devices";
    }

    /** A failure counter: scope {@code ip}, {@code user_ip}, {@code user}, {@code user_day}, {@code device}, {@code otp} or {@code otp_day}. */
    public static String throttle(String scope, String id) {
        return PREFIX + "throttle:" + scope + ":" + id;
    }

    private static String tagged(String userId) {
        return PREFIX + "{" + userId + "}:";
    }
}
