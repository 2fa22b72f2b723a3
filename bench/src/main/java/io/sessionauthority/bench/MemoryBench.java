package io.sessionauthority.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.opentelemetry.api.OpenTelemetry;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.store.RedisSchema;
import io.sessionauthority.service.store.RedisSessionStore;
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
 * code (the same Lua script as Login), 100 per user unless stated, with a typical browser's metadata
 * (stored once per user and device: the growth includes each user's client profile).
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
