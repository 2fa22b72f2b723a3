package io.sessionauthority.service.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.sessionauthority.service.wiring.RedisClientOptions;
import io.sessionauthority.service.config.RedisProperties;
import io.sessionauthority.service.session.SessionPolicy;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.SessionTokens;
import io.sessionauthority.service.store.RedisSessionStore;
import io.sessionauthority.service.store.RedisThrottleStore;
import io.sessionauthority.service.store.RedisUserStore;
import io.sessionauthority.service.throttle.LoginThrottle;
import io.sessionauthority.service.throttle.DeviceTokens;
import io.sessionauthority.service.throttle.ThrottlePolicy;
import io.sessionauthority.service.user.HashingPool;
import io.sessionauthority.service.user.PasswordHasher;
import io.sessionauthority.service.user.PasswordPolicy;
import io.sessionauthority.service.user.User;
import io.sessionauthority.service.user.UserService;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The domain and the Redis store wired by hand, without Micronaut or gRPC, on a real Redis and a
 * clock the test moves: fast integration tests of every rule that needs the store.
 */
public final class DomainFixture implements AutoCloseable {

    public static final SessionPolicy DEFAULT_SESSIONS =
            new SessionPolicy(Duration.ofMinutes(30), Duration.ofHours(12), 100, Duration.ofHours(1), 16, 256);
    /** The shipped defaults (config.ThrottleProperties). */
    public static final ThrottlePolicy DEFAULT_THROTTLE = new ThrottlePolicy(true, 30, 100, 10, Duration.ofSeconds(60),
            Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofDays(90), 20, 100,
            io.sessionauthority.service.throttle.AddressRanges.parse("shared-address-ranges", java.util.List.of("100.64.0.0/10")));
    public static final RedisProperties DEFAULT_REDIS = new RedisProperties(Duration.ofSeconds(1), 10_000, Duration.ofMillis(500), io.sessionauthority.service.store.DurableWrites.Mode.AUTO, 1, Duration.ofMillis(300), true, null);

    public final MutableClock clock = MutableClock.startingNow();
    private final io.lettuce.core.AbstractRedisClient client;
    private final io.lettuce.core.api.StatefulConnection<String, String> connection;
    public final RedisSessionStore sessionStore;
    public final RedisUserStore userStore;
    public final HashingPool hashingPool;
    public final UserService users;
    public final LoginThrottle throttle;
    private final java.util.concurrent.ScheduledExecutorService throttleRetries =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    public final SessionService sessions;

    /** The service's least (and default) bcrypt cost. */
    public static final int PRODUCTION_BCRYPT_COST = 10;

    public DomainFixture(String redisUri, SessionPolicy sessionPolicy) {
        this(standalone(redisUri), sessionPolicy, PRODUCTION_BCRYPT_COST);
    }

    /**
     * With bcrypt at {@code bcryptCost}: 4 (bcrypt's least) for tests whose subject is counting, not
     * hashing, and that check hundreds of passwords (each 60 ms at the production cost).
     */
    public DomainFixture(String redisUri, SessionPolicy sessionPolicy, int bcryptCost) {
        this(standalone(redisUri), sessionPolicy, bcryptCost);
    }

    /** The domain on a Redis Cluster, given its seed nodes. */
    public static DomainFixture onCluster(java.util.List<String> seedUris) {
        io.lettuce.core.cluster.RedisClusterClient cluster = io.lettuce.core.cluster.RedisClusterClient.create(
                seedUris.stream().map(RedisURI::create).toList());
        io.lettuce.core.cluster.api.StatefulRedisClusterConnection<String, String> connection = cluster.connect();
        return new DomainFixture(new Connected(cluster, connection, connection.async()), DEFAULT_SESSIONS, PRODUCTION_BCRYPT_COST);
    }

    private record Connected(io.lettuce.core.AbstractRedisClient client, io.lettuce.core.api.StatefulConnection<String, String> connection,
                             io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands<String, String> async) {
    }

    private static Connected standalone(String redisUri) {
        RedisClient standalone = RedisClient.create(RedisURI.create(redisUri));
        standalone.setOptions(RedisClientOptions.clientOptions(DEFAULT_REDIS, Duration.ofMillis(500)));
        StatefulRedisConnection<String, String> connection = standalone.connect();
        return new Connected(standalone, connection, connection.async());
    }

    /** The revocation log every revoke of this fixture appends to. */
    public final io.sessionauthority.service.revocation.RevocationLog revocations;

    private DomainFixture(Connected redis, SessionPolicy policy, int bcryptCost) {
        SecureRandom random = new SecureRandom();
        client = redis.client();
        connection = redis.connection();
        sessionStore = new RedisSessionStore(redis.async(), io.opentelemetry.api.OpenTelemetry.noop().getTracer("test"));
        userStore = new RedisUserStore(redis.async());
        hashingPool = new HashingPool(2, 64);
        throttle = new LoginThrottle(new RedisThrottleStore(redis.async()), DEFAULT_THROTTLE, new DeviceTokens(random), clock, throttleRetries);
        // Domain tests never wait on the log: the shared connection serves its reads too.
        revocations = new io.sessionauthority.service.store.RedisRevocationLog(redis.async(), redis.async(), () -> { },
                io.sessionauthority.service.store.DurableWrites.none(redis.async()), Duration.ofHours(1), clock);
        users = new UserService(userStore, new PasswordPolicy(8, 256), new PasswordHasher(bcryptCost, random),
                hashingPool, throttle, revocations, policy.forgetAfter(), clock, random);
        sessions = new SessionService(sessionStore, policy, new SessionTokens(random), users, throttle, revocations, null, clock);
    }

    public DomainFixture(String redisUri) {
        this(redisUri, DEFAULT_SESSIONS);
    }

    /** Creates a user with the password {@code "password-" + username}. */
    public User createUser(String username) {
        return join(users.create(username, "password-" + username));
    }

    public SessionService.Started login(String username) {
        return join(sessions.login(username, "password-" + username, io.sessionauthority.service.session.ClientInfo.NONE, java.util.Map.of(), ""));
    }

    public static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    @Override
    public void close() {
        throttleRetries.shutdownNow();
        hashingPool.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
