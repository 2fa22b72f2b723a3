package io.sessionauthority.service.store;

/**
 * The Redis key layout: the only place key names are made.
 *
 * <pre>
 * sa:username:&lt;username&gt;        string  user id of a normalized username        no TTL
 * sa:{&lt;uid&gt;}:user                hash    un username, pw bcrypt hash, ct created  no TTL
 *                                          nb not-before ms, nbk session kept at nb
 * sa:{&lt;uid&gt;}:s:&lt;sid&gt;             hash    un username, ct created, ax absolute     TTL = idle expiry
 *                                          expiry, ix idle expiry, ls last seen,
 *                                          ip, ua, dn client, a:&lt;name&gt; attributes
 * sa:{&lt;uid&gt;}:sessions            zset    sid scored by idle expiry (user's index)  TTL = last expiry + forget-after
 * sa:{&lt;uid&gt;}:revoked             zset    sid scored by when to forget it           TTL = last score
 * sa:throttle:&lt;scope&gt;:&lt;id&gt;        hash    f failed logins, lu locked until          TTL = lockout or failure window
 *                                          (scope ip, user_ip or user)
 * </pre>
 *
 * <p>Every key of one user carries the hash tag {@code {<uid>}}, so they share one Redis Cluster
 * slot and one Lua script can change them together. Times are epoch milliseconds. The session id
 * {@code sid} is a one-way hash of the token: no key or value holds the token in any form. The
 * index is kept correct by the scripts themselves (pruned on every write), never by keyspace
 * notifications, which Cluster, restarts and managed Redis lose.
 */
public final class RedisKeys {

    static final String PREFIX = "sa:";

    private RedisKeys() {
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

    public static String sessionIndex(String userId) {
        return tagged(userId) + "sessions";
    }

    public static String revokedSessions(String userId) {
        return tagged(userId) + "revoked";
    }

    /** The user's known devices (device tokens of successful logins), by their one-way device id. */
    public static String devices(String userId) {
        return tagged(userId) + "devices";
    }

    /** A login-failure counter: scope {@code ip}, {@code user_ip}, {@code user} or {@code device}. */
    public static String throttle(String scope, String id) {
        return PREFIX + "throttle:" + scope + ":" + id;
    }

    private static String tagged(String userId) {
        return PREFIX + "{" + userId + "}:";
    }
}
