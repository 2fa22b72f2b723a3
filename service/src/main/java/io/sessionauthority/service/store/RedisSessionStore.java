package io.sessionauthority.service.store;

import static io.sessionauthority.service.store.RedisErrors.translated;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.sessionauthority.service.store.RedisSchema.SessionFields;
import io.sessionauthority.service.store.RedisSchema.UserFields;
import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.NotFoundException;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.service.session.SessionLimit;
import io.sessionauthority.service.session.SessionLimitReachedException;
import io.sessionauthority.service.session.SessionStatus;
import io.sessionauthority.service.revocation.EndReason;
import io.sessionauthority.service.session.SessionStore;
import io.sessionauthority.service.session.SessionTokens;
import io.sessionauthority.service.session.TokenGenerations;
import io.sessionauthority.service.session.Authentication;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Sessions in Redis (key layout in {@link RedisSchema}). Each write is one Lua script, so each is one
 * round trip and atomic; Validate is two pipelined reads in the common case (see {@link #find}).
 */
public final class RedisSessionStore implements SessionStore {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisSessionStore.class);
    private static final String ATTRIBUTE = SessionFields.ATTRIBUTE;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Tracer tracer;
    private final LuaScript createScript = LuaScript.load("create_session");
    private final LuaScript validateScript = LuaScript.load("validate_session");
    private final LuaScript touchScript = LuaScript.load("touch_session");
    private final LuaScript revokeScript = LuaScript.load("revoke_session");
    private final LuaScript rotateScript = LuaScript.load("rotate_session");
    private final LuaScript revokeAllScript = LuaScript.load("revoke_all_sessions");
    private final LuaScript listScript = LuaScript.load("list_sessions");
    private final LuaScript storeProfileScript = LuaScript.load("store_client_profile");

    private final DurableWrites durable;
    private final LoopConnections loops;
    /** Far more than a population's distinct devices and browsers; ~150 bytes each (2 KB at most). */
    private final ClientProfiles profiles = new ClientProfiles(8192);

    /**
     * @param loops connections on the event loops for Validate's plain read ({@link #find}); writes,
     *              scripts and reads off the loops use {@code redis}
     */
    public RedisSessionStore(RedisClusterAsyncCommands<String, String> redis, Tracer tracer, DurableWrites durable,
                             LoopConnections loops) {
        this.redis = redis;
        this.tracer = tracer;
        this.durable = durable;
        this.loops = loops;
    }

    /** Without waiting for replicas on revokes (a single Redis). */
    public RedisSessionStore(RedisClusterAsyncCommands<String, String> redis, Tracer tracer) {
        this(redis, tracer, DurableWrites.none(redis), LoopConnections.none());
    }

    @Override
    public CompletionStage<List<String>> create(Session session, String verifiedPasswordHash, SessionLimit limit, Duration forgetAfter) {
        String profile = ClientProfiles.encode(session.client().deviceName(), session.client().userAgent());
        if (profile.isEmpty()) {
            return createSession(session, verifiedPasswordHash, limit, forgetAfter, "");
        }
        // The profile first: no session may name a profile that is not stored. A login that fails
        // after this leaves a profile that expires with the session it was for.
        String profileId = ClientProfiles.idOf(profile);
        CompletionStage<Long> stored = storeProfileScript.run(tracer, redis, ScriptOutputType.INTEGER,
                keys(RedisSchema.sharedClientProfile(profileId)), profile, millis(session.expireTime()), millis(session.createTime()));
        return translated(stored).handle((written, error) -> {
            if (error != null) {
                // On Cluster the profile lives on another shard than the user's: a login is worth more
                // than its device metadata. (With one Redis, the session write below fails the same way.)
                LOG.debug("Client profile not stored, the session goes without it: {}", Failures.unwrap(error).toString());
                return "";
            }
            profiles.rememberShared(profileId, ClientProfiles.decode(profile));
            return profileId;
        }).thenCompose(storedId -> createSession(session, verifiedPasswordHash, limit, forgetAfter, storedId));
    }

    private CompletionStage<List<String>> createSession(Session session, String verifiedPasswordHash, SessionLimit limit,
                                                        Duration forgetAfter, String profileId) {
        String uid = session.userId();
        List<String> args = new ArrayList<>(List.of(
                session.sessionId(),
                millis(session.createTime()),
                millis(session.idleExpireTime()),
                Long.toString(forgetAfter.toMillis()),
                Integer.toString(limit.maxSessions()),
                RedisSchema.sessionPrefix(uid),
                verifiedPasswordHash,
                profileId,
                limit.policy() == SessionLimit.Policy.DENY_NEW ? "deny" : "evict",
                limit.replaceSessionId(),
                limit.replacedDeviceId()));
        fields(session).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        if (!limit.deviceId().isEmpty()) {
            args.add(SessionFields.DEVICE);
            args.add(limit.deviceId());
        }
        CompletionStage<List<Object>> result = createScript.run(tracer, redis, ScriptOutputType.MULTI,
                sessionKeys(uid, session.sessionId()),
                args.toArray(String[]::new));
        return translated(result).thenApply(reply -> {
            if ("NO_USER".equals(reply.get(0))) {
                throw NotFoundException.user(uid);
            }
            if ("STALE_CREDENTIALS".equals(reply.get(0))) {
                throw InvalidCredentialsException.wrongPassword(uid);
            }
            if ("LIMIT".equals(reply.get(0))) {
                throw new SessionLimitReachedException(uid, limit.maxSessions(), List.of());
            }
            List<String> evicted = new ArrayList<>();
            for (int i = 1; i < reply.size(); i++) {
                evicted.add((String) reply.get(i));
            }
            return evicted;
        });
    }

    /**
     * Validate's read, without a script in the common case: the session hash and the user's
     * generation and username, pipelined — one round trip, and on Cluster one node (both keys carry
     * the user's hash tag). Redis runs two plain reads for about the cost of one script call's
     * overhead alone. The session's client profile comes from this replica's memory
     * ({@link ClientProfiles}); the first time it is needed, one more read fetches it.
     *
     * <p>Why two reads are as exact as one script: revoke-all is one atomic script that deletes the
     * user's sessions and bumps the generation together, and a plain revoke deletes the hash in one
     * step. Whichever order the two reads run in, a read of the session after the revoke finds it
     * gone, and a read of it before, paired with a read of the generation after, finds the
     * generation moved on; reads both before the revoke answer as of that moment. So no Validate
     * that began after a revoke returned sees the session live
     * ({@code SessionStoreContract.validateRacingRevokeAllNeverSeesItLive}). Anything but a plainly
     * live session — gone, past an expiry by the service's clock, from an older generation — goes
     * to the validate script, which decides it exactly as Touch does and knows why it ended.
     *
     * <p>On an event loop, the read rides that loop's own connection ({@link LoopConnections}), and
     * the argument holds across connections: a revoke that returned was run by Redis before a read
     * sent after it arrives, whichever connection carries either; so does a login's session.
     */
    @Override
    public CompletionStage<SessionCheck> find(String userId, String sessionId, Instant now, Duration forgetAfter) {
        // The fallback runs on the thread the reply arrives on, where the RPC's span is no longer current.
        Context rpc = Context.current();
        return translated(traced("redis validate_read", "HGETALL HMGET", () -> {
            RedisClusterAsyncCommands<String, String> reads = loops.forCurrentThread(redis);
            CompletionStage<Map<String, String>> session = reads.hgetall(RedisSchema.session(userId, sessionId));
            CompletionStage<List<KeyValue<String, String>>> generation = reads.hmget(RedisSchema.user(userId),
                    UserFields.GENERATION, UserFields.GENERATION_KEPT, UserFields.USERNAME);
            return session.thenCombine(generation, PlainRead::new);
        })).thenCompose(rpc.wrapFunction(read -> answer(userId, sessionId, read, now, forgetAfter)));
    }

    /** What Validate's plain read got: the session hash, and the user's gen, genk and un. */
    private record PlainRead(Map<String, String> fields, List<KeyValue<String, String>> user) {
    }

    /**
     * Validate's answer from its plain read: the session with its client profile if it is plainly
     * live, reading a shared profile this replica has not seen yet (one GET, no script); the
     * validate script for anything else, which says why a session ended and reads a user's own
     * profile (written by an earlier version) in the user's slot.
     */
    private CompletionStage<SessionCheck> answer(String userId, String sessionId, PlainRead read, Instant now, Duration forgetAfter) {
        SessionCheck live = plainlyLive(userId, sessionId, read.fields(), read.user(), now, profiles);
        if (live != null) {
            return CompletableFuture.completedFuture(live);
        }
        String sharedId = read.fields().get(SessionFields.SHARED_CLIENT_PROFILE);
        if (sharedId == null || !isPlainlyLive(sessionId, read.fields(), read.user(), now)) {
            return findByScript(userId, sessionId, now, forgetAfter);
        }
        String username = read.user().get(2).getValueOrElse(read.fields().getOrDefault(SessionFields.USERNAME, ""));
        return sharedProfile(sharedId).thenApply(profile ->
                SessionCheck.live(toSession(userId, sessionId, read.fields(), username, profile)));
    }

    /** {@code work} inside a client span when an RPC span is current (as LuaScript does for scripts). */
    private <T> CompletionStage<T> traced(String name, String operation, Supplier<CompletionStage<T>> work) {
        if (!Span.current().getSpanContext().isValid()) {
            return work.get();
        }
        Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT)
                .setAttribute("db.system", "redis")
                .setAttribute("db.operation", operation)
                .startSpan();
        return work.get().whenComplete((value, error) -> {
            if (error != null) {
                span.setStatus(StatusCode.ERROR, Failures.unwrap(error).getClass().getSimpleName());
            }
            span.end();
        });
    }

    private CompletionStage<SessionCheck> findByScript(String userId, String sessionId, Instant now, Duration forgetAfter) {
        CompletionStage<List<Object>> result = validateScript.run(tracer, redis, ScriptOutputType.MULTI,
                sessionKeys(userId, sessionId), sessionId, millis(now), Long.toString(forgetAfter.toMillis()));
        return translated(result).thenCompose(reply -> toCheck(userId, sessionId, reply));
    }

    /**
     * The session if it is plainly live (the same rules as the scripts' session_state) and its
     * client profile is known here; null to ask the script. {@code user} holds the user's gen, genk
     * and un.
     */
    static SessionCheck plainlyLive(String userId, String sessionId, Map<String, String> fields,
                                    List<KeyValue<String, String>> user, Instant now, ClientProfiles profiles) {
        if (!isPlainlyLive(sessionId, fields, user, now)) {
            return null;
        }
        ClientProfiles.Profile profile = knownProfile(userId, fields, profiles);
        if (profile == null) {
            return null;
        }
        String username = user.get(2).getValueOrElse(fields.getOrDefault(SessionFields.USERNAME, ""));
        return SessionCheck.live(toSession(userId, sessionId, fields, username, profile));
    }

    /** Whether the session is plainly live by the scripts' session_state rules (false: ask the script why not). */
    private static boolean isPlainlyLive(String sessionId, Map<String, String> fields, List<KeyValue<String, String>> user,
                                         Instant now) {
        String absoluteExpiry = fields.get(SessionFields.ABSOLUTE_EXPIRY);
        String idleExpiry = fields.get(SessionFields.IDLE_EXPIRY);
        if (absoluteExpiry == null || idleExpiry == null) {
            return false; // gone (or not a whole session): the script knows why
        }
        String generation = user.get(0).getValueOrElse(null);
        if (generation != null && !sessionId.equals(user.get(1).getValueOrElse(""))
                && Long.parseLong(fields.getOrDefault(SessionFields.GENERATION, "0")) < Long.parseLong(generation)) {
            return false;
        }
        long nowMillis = now.toEpochMilli();
        return nowMillis < epochMillis(absoluteExpiry) && nowMillis < epochMillis(idleExpiry);
    }

    @Override
    public CompletionStage<SessionCheck> touch(String userId, String sessionId, Instant now, Duration idleTimeout,
                                               Map<String, String> setAttributes, Collection<String> removeAttributes,
                                               int maxAttributes, Duration forgetAfter) {
        return touch(userId, sessionId, null, now, idleTimeout, setAttributes, removeAttributes, maxAttributes, forgetAfter);
    }

    @Override
    public CompletionStage<SessionCheck> touch(String userId, String sessionId, SessionTokens.Reference presented, Instant now,
                                               Duration idleTimeout, Map<String, String> setAttributes,
                                               Collection<String> removeAttributes, int maxAttributes, Duration forgetAfter) {
        List<String> args = new ArrayList<>(List.of(
                sessionId,
                millis(now),
                Long.toString(idleTimeout.toMillis()),
                Integer.toString(maxAttributes),
                Long.toString(forgetAfter.toMillis()),
                presented == null ? "" : presented.validator(),
                presented != null && presented.original() ? "1" : "0",
                Integer.toString(setAttributes.size())));
        setAttributes.forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
        args.addAll(removeAttributes);
        CompletionStage<List<Object>> result = touchScript.run(tracer, redis, ScriptOutputType.MULTI,
                sessionKeys(userId, sessionId), args.toArray(String[]::new));
        return translated(result).thenApply(reply -> {
            if ("REPLACED".equals(reply.get(0))) {
                throw new io.sessionauthority.service.session.TokenReplacedException();
            }
            if ("TOO_MANY_ATTRIBUTES".equals(reply.get(0))) {
                throw new InvalidArgumentException("set_attributes", "would leave the session with " + reply.get(1)
                        + " attributes; at most " + maxAttributes + " are allowed");
            }
            return reply;
        }).thenCompose(reply -> toCheck(userId, sessionId, reply));
    }

    /**
     * Durable as a revoke: a rotation acknowledged to its caller survives a failover, so the new
     * token is never refused by a replica that missed it (and a missed rotation would read the
     * new token as a replaced one, and end the session).
     */
    @Override
    public CompletionStage<SessionStore.Rotation> rotate(String userId, SessionTokens.Reference presented, SessionTokens.Successor next,
                                                         Instant now, Instant graceEnd, Duration forgetAfter) {
        String sessionId = presented.sessionId();
        List<String> args = new ArrayList<>(List.of(sessionId, millis(now), Long.toString(forgetAfter.toMillis()),
                RedisSchema.sessionPrefix(userId), presented.validator(), presented.original() ? "1" : "0",
                next == null ? "check" : "rotate"));
        if (next != null) {
            args.addAll(List.of(next.validator(), next.nonce(), millis(graceEnd)));
        }
        CompletionStage<List<Object>> result = durable.run(RedisSchema.user(userId), master -> rotateScript.run(tracer, master,
                ScriptOutputType.MULTI, sessionKeys(userId, sessionId), args.toArray(String[]::new)));
        return translated(result).thenCompose(reply -> {
            String outcome = (String) reply.get(0);
            return switch (outcome) {
                case "ROTATED", "CURRENT", "IN_GRACE" -> described(userId, sessionId, asFlat(reply.get(1))).thenApply(session ->
                        new SessionStore.Rotation(SessionStore.Rotation.Outcome.valueOf(outcome), SessionCheck.live(session)));
                case "REUSED" -> CompletableFuture.completedFuture(new SessionStore.Rotation(SessionStore.Rotation.Outcome.REUSED,
                        SessionCheck.ended(SessionStatus.REVOKED, EndReason.TOKEN_REUSE), Long.parseLong((String) reply.get(2))));
                default -> toCheck(userId, sessionId, reply).thenApply(check ->
                        new SessionStore.Rotation(SessionStore.Rotation.Outcome.NOT_LIVE, check));
            };
        });
    }

    @Override
    public CompletionStage<SessionStore.Revoked> revoke(String userId, String sessionId, EndReason reason, Instant now,
                                                        Duration forgetAfter, Duration recent) {
        CompletionStage<Long> result = durable.run(RedisSchema.user(userId), master -> revokeScript.run(tracer, master,
                ScriptOutputType.INTEGER, userKeys(userId),
                sessionId, millis(now), Long.toString(forgetAfter.toMillis()), RedisSchema.sessionPrefix(userId), reason.code(),
                Long.toString(recent.toMillis())));
        return translated(result).thenApply(answer -> {
            int count = existingUser(userId, answer);
            return count == 2 ? new SessionStore.Revoked(0, true) : new SessionStore.Revoked(count, false);
        });
    }

    @Override
    public CompletionStage<Integer> revokeAll(String userId, String exceptSessionId, String keepDeviceId, EndReason reason, Instant now,
                                              Duration forgetAfter) {
        CompletionStage<Long> result = durable.run(RedisSchema.user(userId), master -> revokeAllScript.run(tracer, master,
                ScriptOutputType.INTEGER, userKeys(userId),
                millis(now), Long.toString(forgetAfter.toMillis()), exceptSessionId, RedisSchema.sessionPrefix(userId), reason.code(),
                keepDeviceId));
        return translated(result).thenApply(count -> existingUser(userId, count));
    }

    @Override
    public CompletionStage<List<Session>> list(String userId, Instant now, Duration forgetAfter) {
        CompletionStage<List<Object>> result = listScript.run(tracer, redis, ScriptOutputType.MULTI, userKeys(userId),
                millis(now), RedisSchema.sessionPrefix(userId), Long.toString(forgetAfter.toMillis()));
        return translated(result).thenCompose(reply -> {
            if ("NO_USER".equals(reply.get(0))) {
                throw NotFoundException.user(userId);
            }
            List<CompletableFuture<Session>> sessions = new ArrayList<>();
            for (int i = 1; i + 1 < reply.size(); i += 2) {
                sessions.add(described(userId, (String) reply.get(i), asFlat(reply.get(i + 1))).toCompletableFuture());
            }
            return CompletableFuture.allOf(sessions.toArray(CompletableFuture[]::new))
                    .thenApply(done -> sessions.stream().map(CompletableFuture::join).toList());
        });
    }

    private static int existingUser(String userId, long count) {
        if (count < 0) {
            throw NotFoundException.user(userId);
        }
        return (int) count;
    }

    static String[] sessionKeys(String userId, String sessionId) {
        return keys(RedisSchema.session(userId, sessionId), RedisSchema.user(userId),
                RedisSchema.sessionIndex(userId), RedisSchema.revokedSessions(userId), RedisSchema.sessionEnds(userId),
                RedisSchema.clientProfiles(userId));
    }

    /** The keys of the scripts that work on all of a user's sessions: user, index, revoked, ends, clients. */
    static String[] userKeys(String userId) {
        return keys(RedisSchema.user(userId), RedisSchema.sessionIndex(userId), RedisSchema.revokedSessions(userId),
                RedisSchema.sessionEnds(userId), RedisSchema.clientProfiles(userId), RedisSchema.devices(userId));
    }

    private static String[] keys(String... keys) {
        return keys;
    }

    CompletionStage<SessionCheck> toCheck(String userId, String sessionId, List<Object> reply) {
        SessionStatus status = SessionStatus.valueOf((String) reply.get(0));
        if (status != SessionStatus.LIVE) {
            return CompletableFuture.completedFuture(
                    SessionCheck.ended(status, reply.size() > 1 ? EndReason.ofCode((String) reply.get(1)).orElse(null) : null));
        }
        return described(userId, sessionId, asFlat(reply.get(1))).thenApply(SessionCheck::live);
    }

    /** The stored fields of a session but its client profile and username. Short names keep the hash small (listpack-encoded). */
    static Map<String, String> fields(Session session) {
        Map<String, String> fields = new HashMap<>();
        fields.put(SessionFields.CREATED, millis(session.createTime()));
        fields.put(SessionFields.ABSOLUTE_EXPIRY, millis(session.expireTime()));
        fields.put(SessionFields.IDLE_EXPIRY, millis(session.idleExpireTime()));
        fields.put(SessionFields.LAST_SEEN, millis(session.lastSeenTime()));
        putIfNotEmpty(fields, SessionFields.IP_ADDRESS, session.client().ipAddress());
        if (!session.authentication().equals(Authentication.PASSWORD_AT_LOGIN)) {
            fields.put(SessionFields.ASSURANCE_LEVEL, Integer.toString(session.authentication().level()));
            fields.put(SessionFields.AUTH_METHODS, String.join(" ", session.authentication().methods()));
            fields.put(SessionFields.AUTH_TIME, millis(session.authTime()));
        }
        session.attributes().forEach((name, value) -> fields.put(ATTRIBUTE + name, value));
        return fields;
    }

    /**
     * A session as a script answered it (described: with the username, and the content of a user's
     * own profile), with its shared profile read if this replica has not seen it yet.
     */
    CompletionStage<Session> described(String userId, String sessionId, List<String> flat) {
        Map<String, String> stored = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            stored.put(flat.get(i), flat.get(i + 1));
        }
        String username = stored.getOrDefault(SessionFields.USERNAME, "");
        String sharedId = stored.get(SessionFields.SHARED_CLIENT_PROFILE);
        if (sharedId != null) {
            return sharedProfile(sharedId).thenApply(profile -> toSession(userId, sessionId, stored, username, profile));
        }
        ClientProfiles.Profile profile;
        String ownId = stored.get(SessionFields.CLIENT_PROFILE);
        if (ownId != null) {
            // The script sent the user's own profile's content ('cp'); empty if it is missing (never
            // for a session the scripts wrote): then no metadata.
            String content = stored.getOrDefault(SessionFields.CLIENT_PROFILE_CONTENT, "");
            profile = content.isEmpty() ? ClientProfiles.Profile.NONE : ClientProfiles.decode(content);
            if (!content.isEmpty()) {
                profiles.remember(userId, ownId, profile);
            }
        } else {
            profile = storedInline(stored);
        }
        return CompletableFuture.completedFuture(toSession(userId, sessionId, stored, username, profile));
    }

    /** A shared profile: from this replica's memory, else read once and remembered. */
    private CompletionStage<ClientProfiles.Profile> sharedProfile(String sharedId) {
        ClientProfiles.Profile known = profiles.knownShared(sharedId); // read once: another thread may clear the cache
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return redis.get(RedisSchema.sharedClientProfile(sharedId)).handle((content, error) -> {
            // Missing if Redis lost it (a failover before it reached the replica), unreadable if its
            // shard is down: either way the session is still the session, answered by its own shard,
            // without its device metadata (and nothing remembered).
            if (error != null) {
                LOG.debug("Client profile {} not read: {}", sharedId, Failures.unwrap(error).toString());
                return ClientProfiles.Profile.NONE;
            }
            if (content == null) {
                return ClientProfiles.Profile.NONE;
            }
            ClientProfiles.Profile profile = ClientProfiles.decode(content);
            profiles.rememberShared(sharedId, profile);
            return profile;
        });
    }

    /**
     * The session's device metadata if this replica knows it: its shared profile, its user's own
     * profile (sessions written before shared ones) or its own fields (before profiles); null if not.
     */
    private static ClientProfiles.Profile knownProfile(String userId, Map<String, String> stored, ClientProfiles profiles) {
        String sharedId = stored.get(SessionFields.SHARED_CLIENT_PROFILE);
        if (sharedId != null) {
            return profiles.knownShared(sharedId);
        }
        String ownId = stored.get(SessionFields.CLIENT_PROFILE);
        return ownId != null ? profiles.known(userId, ownId) : storedInline(stored);
    }

    /** The device metadata of a session stored before client profiles (none for a session without it). */
    private static ClientProfiles.Profile storedInline(Map<String, String> stored) {
        return new ClientProfiles.Profile(stored.getOrDefault(SessionFields.DEVICE_NAME, ""),
                stored.getOrDefault(SessionFields.USER_AGENT, ""));
    }

    static Session toSession(String userId, String sessionId, Map<String, String> stored, String username,
                             ClientProfiles.Profile profile) {
        Map<String, String> attributes = new HashMap<>();
        stored.forEach((field, value) -> {
            if (field.startsWith(ATTRIBUTE)) {
                attributes.put(field.substring(ATTRIBUTE.length()), value);
            }
        });
        return new Session(sessionId, userId, username,
                instant(stored.get(SessionFields.CREATED)), instant(stored.get(SessionFields.ABSOLUTE_EXPIRY)),
                instant(stored.get(SessionFields.IDLE_EXPIRY)), instant(stored.get(SessionFields.LAST_SEEN)),
                new ClientInfo(stored.getOrDefault(SessionFields.IP_ADDRESS, ""), profile.userAgent(), profile.deviceName()),
                attributes, tokenGenerations(stored), authentication(stored));
    }

    private static Authentication authentication(Map<String, String> stored) {
        String level = stored.get(SessionFields.ASSURANCE_LEVEL);
        if (level == null) {
            return Authentication.PASSWORD_AT_LOGIN;
        }
        String time = stored.get(SessionFields.AUTH_TIME);
        return new Authentication(time == null ? null : instant(time),
                List.of(stored.getOrDefault(SessionFields.AUTH_METHODS, Authentication.PASSWORD).split(" ")), Integer.parseInt(level));
    }

    private static TokenGenerations tokenGenerations(Map<String, String> stored) {
        String generation = stored.get(SessionFields.TOKEN_GENERATION);
        if (generation == null) {
            return TokenGenerations.ORIGINAL;
        }
        return new TokenGenerations(Long.parseLong(generation), stored.getOrDefault(SessionFields.TOKEN, ""),
                instant(stored.get(SessionFields.TOKEN_ISSUED)), stored.getOrDefault(SessionFields.PREVIOUS_TOKEN, ""),
                instant(stored.get(SessionFields.GRACE_END)), stored.getOrDefault(SessionFields.TOKEN_NONCE, ""),
                steppedUpFrom(stored.getOrDefault(SessionFields.REPLACED_BY_STEP_UP, stored.get(SessionFields.RAISED_BY_CONFIRMATION)),
                        instant(stored.get(SessionFields.CREATED))),
                earlier(stored));
    }

    private static TokenGenerations.Replaced earlier(Map<String, String> stored) {
        String validator = stored.get(SessionFields.EARLIER_TOKEN);
        String graceEnd = stored.get(SessionFields.EARLIER_GRACE_END);
        if (validator == null || graceEnd == null) {
            return null;
        }
        return new TokenGenerations.Replaced(validator, instant(graceEnd),
                steppedUpFrom(stored.get(SessionFields.EARLIER_AUTHENTICATION), instant(stored.get(SessionFields.CREATED))), "");
    }

    /** A replaced token's authentication, as step_up.lua records it when the session's rose; null if it did not. */
    static Authentication steppedUpFrom(String recorded, Instant sessionCreated) {
        if (recorded == null) {
            return null;
        }
        String[] parts = recorded.split("\\|", 3);
        if (parts.length < 3) {
            return Authentication.awaitingSecondFactor(sessionCreated);
        }
        return new Authentication(parts[1].isEmpty() ? null : instant(parts[1]), List.of(parts[2].split(" ")),
                Integer.parseInt(parts[0]));
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
