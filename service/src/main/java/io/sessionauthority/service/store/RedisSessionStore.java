package io.sessionauthority.service.store;

import static io.sessionauthority.service.store.RedisErrors.translated;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.opentelemetry.api.trace.Tracer;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.NotFoundException;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.service.session.SessionStatus;
import io.sessionauthority.service.session.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Sessions in Redis (key layout in {@link RedisKeys}). Each operation is one Lua script, so each is
 * one round trip and atomic: Validate and Touch cost one EVALSHA each.
 */
public final class RedisSessionStore implements SessionStore {

    private static final String ATTRIBUTE = "a:";

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Tracer tracer;
    private final LuaScript createScript = LuaScript.load("create_session");
    private final LuaScript validateScript = LuaScript.load("validate_session");
    private final LuaScript touchScript = LuaScript.load("touch_session");
    private final LuaScript revokeScript = LuaScript.load("revoke_session");
    private final LuaScript revokeAllScript = LuaScript.load("revoke_all_sessions");
    private final LuaScript listScript = LuaScript.load("list_sessions");

    public RedisSessionStore(RedisClusterAsyncCommands<String, String> redis, Tracer tracer) {
        this.redis = redis;
        this.tracer = tracer;
    }

    @Override
    public CompletionStage<Void> create(Session session, String verifiedPasswordHash, int maxPerUser, Duration forgetAfter) {
        String uid = session.userId();
        List<String> args = new ArrayList<>(List.of(
                session.sessionId(),
                millis(session.createTime()),
                millis(session.idleExpireTime()),
                Long.toString(forgetAfter.toMillis()),
                Integer.toString(maxPerUser),
                RedisKeys.sessionPrefix(uid),
                verifiedPasswordHash));
        fields(session).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        CompletionStage<List<Object>> result = createScript.run(tracer, redis, ScriptOutputType.MULTI,
                keys(RedisKeys.session(uid, session.sessionId()), RedisKeys.user(uid), RedisKeys.sessionIndex(uid), RedisKeys.revokedSessions(uid)),
                args.toArray(String[]::new));
        return translated(result).thenApply(reply -> {
            if ("NO_USER".equals(reply.get(0))) {
                throw NotFoundException.user(uid);
            }
            if ("STALE_CREDENTIALS".equals(reply.get(0))) {
                throw InvalidCredentialsException.wrongPassword(uid);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<SessionCheck> find(String userId, String sessionId, Instant now) {
        CompletionStage<List<Object>> result = validateScript.run(tracer, redis, ScriptOutputType.MULTI,
                sessionKeys(userId, sessionId), sessionId, millis(now));
        return translated(result).thenApply(reply -> toCheck(userId, sessionId, reply));
    }

    @Override
    public CompletionStage<SessionCheck> touch(String userId, String sessionId, Instant now, Duration idleTimeout,
                                               Map<String, String> setAttributes, Collection<String> removeAttributes,
                                               int maxAttributes, Duration forgetAfter) {
        List<String> args = new ArrayList<>(List.of(
                sessionId,
                millis(now),
                Long.toString(idleTimeout.toMillis()),
                Integer.toString(maxAttributes),
                Long.toString(forgetAfter.toMillis()),
                Integer.toString(setAttributes.size())));
        setAttributes.forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
        args.addAll(removeAttributes);
        CompletionStage<List<Object>> result = touchScript.run(tracer, redis, ScriptOutputType.MULTI,
                sessionKeys(userId, sessionId), args.toArray(String[]::new));
        return translated(result).thenApply(reply -> {
            if ("TOO_MANY_ATTRIBUTES".equals(reply.get(0))) {
                throw new InvalidArgumentException("set_attributes", "would leave the session with " + reply.get(1)
                        + " attributes; at most " + maxAttributes + " are allowed");
            }
            return toCheck(userId, sessionId, reply);
        });
    }

    @Override
    public CompletionStage<Integer> revoke(String userId, String sessionId, Instant now, Duration forgetAfter) {
        CompletionStage<Long> result = revokeScript.run(tracer, redis, ScriptOutputType.INTEGER,
                keys(RedisKeys.user(userId), RedisKeys.sessionIndex(userId), RedisKeys.revokedSessions(userId)),
                sessionId, millis(now), Long.toString(forgetAfter.toMillis()), RedisKeys.sessionPrefix(userId));
        return translated(result).thenApply(count -> existingUser(userId, count));
    }

    @Override
    public CompletionStage<Integer> revokeAll(String userId, String exceptSessionId, Instant now, Duration forgetAfter) {
        CompletionStage<Long> result = revokeAllScript.run(tracer, redis, ScriptOutputType.INTEGER,
                keys(RedisKeys.user(userId), RedisKeys.sessionIndex(userId), RedisKeys.revokedSessions(userId)),
                millis(now), Long.toString(forgetAfter.toMillis()), exceptSessionId, RedisKeys.sessionPrefix(userId));
        return translated(result).thenApply(count -> existingUser(userId, count));
    }

    @Override
    public CompletionStage<List<Session>> list(String userId, Instant now) {
        CompletionStage<List<Object>> result = listScript.run(tracer, redis, ScriptOutputType.MULTI,
                keys(RedisKeys.user(userId), RedisKeys.sessionIndex(userId), RedisKeys.revokedSessions(userId)),
                millis(now), RedisKeys.sessionPrefix(userId));
        return translated(result).thenApply(reply -> {
            if ("NO_USER".equals(reply.get(0))) {
                throw NotFoundException.user(userId);
            }
            List<Session> sessions = new ArrayList<>();
            for (int i = 1; i + 1 < reply.size(); i += 2) {
                sessions.add(toSession(userId, (String) reply.get(i), asFlat(reply.get(i + 1))));
            }
            return sessions;
        });
    }

    private static int existingUser(String userId, long count) {
        if (count < 0) {
            throw NotFoundException.user(userId);
        }
        return (int) count;
    }

    private static String[] sessionKeys(String userId, String sessionId) {
        return keys(RedisKeys.session(userId, sessionId), RedisKeys.user(userId),
                RedisKeys.sessionIndex(userId), RedisKeys.revokedSessions(userId));
    }

    private static String[] keys(String... keys) {
        return keys;
    }

    private static SessionCheck toCheck(String userId, String sessionId, List<Object> reply) {
        SessionStatus status = SessionStatus.valueOf((String) reply.get(0));
        if (status != SessionStatus.LIVE) {
            return SessionCheck.notLive(status);
        }
        return SessionCheck.live(toSession(userId, sessionId, asFlat(reply.get(1))));
    }

    /** The stored fields of a session. Short names keep the hash small (listpack-encoded). */
    static Map<String, String> fields(Session session) {
        Map<String, String> fields = new HashMap<>();
        fields.put("un", session.username());
        fields.put("ct", millis(session.createTime()));
        fields.put("ax", millis(session.expireTime()));
        fields.put("ix", millis(session.idleExpireTime()));
        fields.put("ls", millis(session.lastSeenTime()));
        putIfNotEmpty(fields, "ip", session.client().ipAddress());
        putIfNotEmpty(fields, "ua", session.client().userAgent());
        putIfNotEmpty(fields, "dn", session.client().deviceName());
        session.attributes().forEach((name, value) -> fields.put(ATTRIBUTE + name, value));
        return fields;
    }

    static Session toSession(String userId, String sessionId, List<String> flat) {
        Map<String, String> fields = new HashMap<>();
        Map<String, String> attributes = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            String field = flat.get(i);
            if (field.startsWith(ATTRIBUTE)) {
                attributes.put(field.substring(ATTRIBUTE.length()), flat.get(i + 1));
            } else {
                fields.put(field, flat.get(i + 1));
            }
        }
        return new Session(sessionId, userId, fields.getOrDefault("un", ""),
                instant(fields.get("ct")), instant(fields.get("ax")), instant(fields.get("ix")), instant(fields.get("ls")),
                new ClientInfo(fields.getOrDefault("ip", ""), fields.getOrDefault("ua", ""), fields.getOrDefault("dn", "")),
                attributes);
    }

    private static void putIfNotEmpty(Map<String, String> fields, String field, String value) {
        if (!value.isEmpty()) {
            fields.put(field, value);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> asFlat(Object value) {
        return (List<String>) value;
    }

    static String millis(Instant instant) {
        return Long.toString(instant.toEpochMilli());
    }

    static Instant instant(String millis) {
        return Instant.ofEpochMilli(epochMillis(millis));
    }

    /** Epoch milliseconds as stored; Lua writes numbers it computed in %.17g form, which may carry an exponent. */
    static long epochMillis(String millis) {
        return millis.indexOf('e') >= 0 || millis.indexOf('E') >= 0 || millis.indexOf('.') >= 0
                ? (long) Double.parseDouble(millis)
                : Long.parseLong(millis);
    }
}
