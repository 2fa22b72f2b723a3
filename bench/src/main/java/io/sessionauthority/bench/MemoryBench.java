package io.sessionauthority.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.opentelemetry.api.OpenTelemetry;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionTokens;
import io.sessionauthority.service.store.RedisSchema;
import io.sessionauthority.service.store.RedisSessionStore;
import io.sessionauthority.service.store.RedisThrottleStore;
import io.sessionauthority.service.store.RedisUserStore;
import io.sessionauthority.service.user.User;
import io.sessionauthority.service.user.UserIds;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Bytes per session in Redis: used_memory growth over N sessions written by the service's own store
 * code (the same Lua scripts as Login), 100 per user unless stated, with a typical browser's metadata
 * (stored once for every session with the same device name and User-Agent: the growth includes it).
 */
final class MemoryBench {

    static final String USER_AGENT =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

    record Result(int sessions, double bytesPerSession, String encoding, double bytesPerUser) {
    }

    private MemoryBench() {
    }

    /** As {@link #run(int, int)} on a Redis set back to its default listpack limit for the run. */
    static Result withRedisDefaults(int redisPort, int sessions) {
        return withDefaultListpackLimit(redisPort, () -> run(redisPort, sessions));
    }

    /** As {@link #withRedisDefaults(int, int)}, with one session per user: no profile is shared. */
    static Result oneSessionPerUserWithRedisDefaults(int redisPort, int sessions) {
        return withDefaultListpackLimit(redisPort, () -> run(redisPort, sessions, USER_AGENT, 1));
    }

    private static Result withDefaultListpackLimit(int redisPort, java.util.function.Supplier<Result> measurement) {
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
             StatefulRedisConnection<String, String> connection = client.connect()) {
            String configured = connection.sync().configGet("hash-max-listpack-value").get("hash-max-listpack-value");
            connection.sync().configSet("hash-max-listpack-value", "64");
            try {
                return measurement.get();
            } finally {
                connection.sync().configSet("hash-max-listpack-value", configured);
            }
        }
    }

    /** One session of a real population: a device of one user, named as its owner would, and its browser. */
    record Device(String name, String userAgent) {
    }

    /** What a real population costs: bytes per session, per user key, as Redis reports them. */
    record Population(int users, int sessionsPerUser, double bytesPerSession, Map<String, Long> sampleUserKeys,
                      double bytesPerRotation) {
    }

    /** The 50 device names and User-Agents of {@code user-agents.tsv}. */
    static List<Device> devices() {
        try (var in = MemoryBench.class.getResourceAsStream("/user-agents.tsv")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .map(line -> line.split("\t", 2))
                    .map(fields -> new Device(fields[0], fields[1]))
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A real population with Redis' default settings: {@code users} users, each with
     * {@code sessionsPerUser} sessions, each session on its own device (a device name and a
     * User-Agent drawn from {@link #devices()}), each login also remembering its device as Login
     * does. Bytes per session are the growth after the users exist, everything a login writes
     * included.
     */
    static Population population(int redisPort, int users, int sessionsPerUser) {
        List<Device> devices = devices();
        java.util.Random draw = new java.util.Random(28);
        SecureRandom random = new SecureRandom();
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
             StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            String configured = redis.configGet("hash-max-listpack-value").get("hash-max-listpack-value");
            redis.configSet("hash-max-listpack-value", "64");
            try {
                redis.flushall();
                RedisUserStore userStore = new RedisUserStore(connection.async());
                RedisSessionStore store = new RedisSessionStore(connection.async(), OpenTelemetry.noop().getTracer("bench"));
                RedisThrottleStore throttle = new RedisThrottleStore(connection.async());
                Instant now = Instant.now();
                List<User> created = new ArrayList<>();
                List<CompletableFuture<?>> writes = new ArrayList<>();
                for (int u = 0; u < users; u++) {
                    User user = new User(UserIds.newId(random), "user-" + u, "$2b$10$" + "x".repeat(53), now);
                    created.add(user);
                    writes.add(userStore.insert(user, user.username()).toCompletableFuture());
                    drain(writes, 1000);
                }
                drain(writes, 0);
                long withUsers = usedMemory(redis);
                SessionTokens tokens = new SessionTokens(random);
                List<String> issued = new ArrayList<>();
                for (User user : created) {
                    for (int s = 0; s < sessionsPerUser; s++) {
                        Device device = devices.get(draw.nextInt(devices.size()));
                        SessionTokens.Issued token = tokens.issue(user.id());
                        issued.add(token.token());
                        Session session = new Session(token.sessionId(), user.id(), user.username(), now,
                                now.plus(Duration.ofHours(12)), now.plus(Duration.ofMinutes(30)), now,
                                new ClientInfo("198.51.100." + draw.nextInt(250), device.userAgent(), device.name()), Map.of());
                        writes.add(store.create(session, user.passwordHash(), 100, Duration.ofHours(1)).toCompletableFuture());
                        writes.add(throttle.rememberDevice(user.id(), UserIds.newId(random), now.plus(Duration.ofDays(90)), 20, now, "",
                                now).toCompletableFuture());
                        drain(writes, 1000);
                    }
                }
                drain(writes, 0);
                long withSessions = usedMemory(redis);
                Map<String, Long> sample = new java.util.TreeMap<>();
                for (String key : redis.keys("*" + created.get(0).id() + "*")) {
                    sample.put(key.replace(created.get(0).id(), "<uid>"), redis.memoryUsage(key));
                }
                // Every session's token rotated once (Refresh): what a rotated session stores on top.
                for (String token : issued) {
                    SessionTokens.Reference presented = SessionTokens.parse("token", token);
                    writes.add(store.rotate(presented.userId(), presented, tokens.rotate(presented), now, now.plus(Duration.ofSeconds(30)),
                            Duration.ofHours(1)).toCompletableFuture());
                    drain(writes, 1000);
                }
                drain(writes, 0);
                long rotated = usedMemory(redis);
                return new Population(users, sessionsPerUser, (withSessions - withUsers) / (double) (users * sessionsPerUser), sample,
                        (rotated - withSessions) / (double) issued.size());
            } finally {
                redis.configSet("hash-max-listpack-value", configured);
            }
        }
    }

    /** The population's figures as Markdown lines, with its MET/MISSED line (issue 28: ≤ 350 bytes per session). */
    static String report(Population population) {
        StringBuilder out = new StringBuilder(String.format(java.util.Locale.ROOT,
                "- Real population with Redis' default settings: %,d users × %d sessions, each session on its own device "
                        + "(User-Agents drawn from %d real strings): **%.0f bytes per session**, everything a login writes included.%n",
                population.users(), population.sessionsPerUser(), devices().size(), population.bytesPerSession()));
        out.append("  One user's keys (`MEMORY USAGE`): ");
        out.append(String.join(", ", population.sampleUserKeys().entrySet().stream()
                .map(key -> "`" + key.getKey() + "` " + key.getValue() + " B").toList()));
        out.append(String.format(java.util.Locale.ROOT, "%n- %s — ≤ 350 bytes per session for a real population (issue 28): %.0f%n",
                population.bytesPerSession() <= 350 ? "MET" : "MISSED", population.bytesPerSession()));
        out.append(String.format(java.util.Locale.ROOT, "- Token rotation (issue 29): a session whose token was rotated stores "
                + "**%.0f bytes more** (validators of the current and the replaced token, its grace end, nonce, issue time and "
                + "generation); a session never rotated stores nothing for it.%n", population.bytesPerRotation()));
        return out.toString();
    }

    private static void drain(List<CompletableFuture<?>> writes, int above) {
        if (writes.size() >= above) {
            writes.forEach(CompletableFuture::join);
            writes.clear();
        }
    }

    static Result run(int redisPort, int sessions) {
        return run(redisPort, sessions, USER_AGENT);
    }

    static Result run(int redisPort, int sessions, String userAgent) {
        return run(redisPort, sessions, userAgent, 100);
    }

    static Result run(int redisPort, int sessions, String userAgent, int sessionsPerUser) {
        SecureRandom random = new SecureRandom();
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
             StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            redis.flushall();
            RedisUserStore users = new RedisUserStore(connection.async());
            RedisSessionStore store = new RedisSessionStore(connection.async(), OpenTelemetry.noop().getTracer("bench"));
            int userCount = Math.max(1, sessions / sessionsPerUser);
            long empty = usedMemory(redis);
            List<User> created = new ArrayList<>();
            Instant now = Instant.now();
            List<CompletableFuture<Boolean>> inserts = new ArrayList<>();
            for (int u = 0; u < userCount; u++) {
                User user = new User(UserIds.newId(random), "user-" + u, "$2b$10$" + "x".repeat(53), now);
                created.add(user);
                inserts.add(users.insert(user, user.username()).toCompletableFuture());
            }
            inserts.forEach(CompletableFuture::join);
            long withUsers = usedMemory(redis);
            List<CompletableFuture<List<String>>> writes = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                User user = created.get(i % userCount);
                Session session = new Session(UserIds.newId(random), user.id(), user.username(), now, now.plus(Duration.ofHours(12)),
                        now.plus(Duration.ofMinutes(30)), now, new ClientInfo("203.0.113." + (i % 250), userAgent, "iPhone"),
                        Map.of("cart", Integer.toString(10_000 + i)));
                writes.add(store.create(session, user.passwordHash(), Math.max(100, sessionsPerUser), Duration.ofHours(1)).toCompletableFuture());
                if (writes.size() == 1000) {
                    writes.forEach(CompletableFuture::join);
                    writes.clear();
                }
            }
            writes.forEach(CompletableFuture::join);
            long withSessions = usedMemory(redis);
            String sampleKey = redis.keys(RedisSchema.sessionPrefix(created.get(0).id()) + "*").get(0);
            return new Result(sessions, (withSessions - withUsers) / (double) sessions, redis.objectEncoding(sampleKey),
                    (withUsers - empty) / (double) userCount);
        }
    }

    private static long usedMemory(RedisCommands<String, String> redis) {
        for (String line : redis.info("memory").split("\\R")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("no used_memory in INFO");
    }
}
