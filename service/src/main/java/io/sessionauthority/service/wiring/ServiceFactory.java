package io.sessionauthority.service.wiring;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.lettuce.core.RedisClient;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.cluster.RedisClusterClient;
import io.sessionauthority.service.config.PasswordProperties;
import io.sessionauthority.service.config.RedisProperties;
import io.sessionauthority.service.config.SessionProperties;
import io.sessionauthority.service.config.ThrottleProperties;
import io.sessionauthority.service.session.AnnouncingLog;
import io.sessionauthority.service.session.HotSessions;
import io.sessionauthority.service.store.DeferredConnection;
import io.sessionauthority.service.store.DurableWrites;
import io.sessionauthority.service.store.LoopConnections;
import io.micronaut.configuration.lettuce.DefaultRedisConfiguration;
import java.time.Duration;
import java.util.List;
import io.sessionauthority.service.metrics.ServiceMetrics;
import io.micronaut.context.annotation.Requires;
import io.sessionauthority.service.session.SessionPolicy;
import io.sessionauthority.service.session.SessionService;
import io.sessionauthority.service.session.SessionStore;
import io.sessionauthority.service.session.SessionTokens;
import io.sessionauthority.service.store.RedisSessionStore;
import io.sessionauthority.service.store.RedisThrottleStore;
import io.sessionauthority.service.store.RedisUserStore;
import io.sessionauthority.service.throttle.DeviceTokens;
import io.sessionauthority.service.throttle.LoginThrottle;
import io.sessionauthority.service.throttle.ThrottleStore;
import io.sessionauthority.service.audit.AuditLog;
import io.sessionauthority.service.config.SecondFactorProperties;
import io.sessionauthority.service.secondfactor.SecondFactorService;
import io.sessionauthority.service.secondfactor.SecretBox;
import io.sessionauthority.service.store.RedisSecondFactorStore;
import io.sessionauthority.service.scheduling.IdleScheduling;
import io.sessionauthority.service.user.HashingPool;
import io.sessionauthority.service.user.PasswordHasher;
import io.sessionauthority.service.user.PasswordPolicy;
import io.sessionauthority.service.user.UserService;
import io.sessionauthority.service.user.UserStore;
import jakarta.inject.Singleton;
import io.opentelemetry.api.trace.Tracer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * Wires the plain domain and store classes together. They carry no framework annotations, so
 * tests build them by hand just as easily.
 */
@Factory
public class ServiceFactory {

    /** The one clock of every expiry and lockout; a test may supply its own (a clock it moves). */
    @Singleton
    @Requires(missingBeans = Clock.class)
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    SecureRandom secureRandom() {
        return new SecureRandom();
    }

    /**
     * The store speaks the command set common to standalone, Sentinel and Cluster connections:
     * {@code redis.uri} (standalone, or {@code redis-sentinel://…#master}) or {@code redis.uris}
     * (Cluster seed nodes) chooses which.
     */
    @Singleton
    RedisClusterAsyncCommands<String, String> redisCommands(DeferredConnection shared) {
        return shared.commands();
    }

    /** The connection every command but Validate's loop reads rides on; the service starts without it (DeferredConnection). */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(missingProperty = "redis.uris")
    DeferredConnection sharedConnection(RedisClient client) {
        return DeferredConnection.standalone("shared", client);
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "redis.uris")
    DeferredConnection sharedClusterConnection(RedisClusterClient client) {
        return DeferredConnection.cluster("shared", client);
    }

    /** Revokes wait for a replica (session-authority.redis.durable-revokes), on connections of their own. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(missingProperty = "redis.uris")
    DurableWrites durableWrites(RedisClusterAsyncCommands<String, String> redis, RedisClient client,
                                RedisProperties properties, @Value("${redis.timeout}") Duration commandTimeout) {
        properties.requireWaitBelow(commandTimeout);
        return DurableWrites.of(properties.durableRevokes(), properties.durableRevokesReplicas(),
                properties.durableRevokesTimeout(), redis, client);
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "redis.uris")
    DurableWrites durableClusterWrites(RedisClusterAsyncCommands<String, String> redis, RedisClusterClient client,
                                       RedisProperties properties, @Value("${redis.timeout}") Duration commandTimeout) {
        properties.requireWaitBelow(commandTimeout);
        return DurableWrites.of(properties.durableRevokes(), properties.durableRevokesReplicas(),
                properties.durableRevokesTimeout(), redis, client);
    }

    @Singleton
    SessionStore sessionStore(RedisClusterAsyncCommands<String, String> redis, Tracer tracer, DurableWrites durable,
                              LoopConnections loops) {
        return new RedisSessionStore(redis, tracer, durable, loops);
    }

    /**
     * Validate's read connections on the gRPC event loops, for a standalone Redis
     * (session-authority.redis.loop-connections, on by default); behind Sentinel or with replicas
     * configured, reads stay on the shared connection (LoopConnections says why).
     */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(missingProperty = "redis.uris")
    LoopConnections loopConnections(RedisClient client, DefaultRedisConfiguration redis, IoEventLoops loops,
                                    RedisProperties properties, List<CommandListener> listeners) {
        if (!properties.loopConnections() || !redis.getReplicaUris().isEmpty()) {
            return LoopConnections.none();
        }
        return LoopConnections.open(loops.group(), client, redis.getUri().orElse(redis), listeners);
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "redis.uris")
    LoopConnections noLoopConnections() {
        return LoopConnections.none();
    }

    @Singleton
    UserStore userStore(RedisClusterAsyncCommands<String, String> redis, DurableWrites durable) {
        return new RedisUserStore(redis, durable);
    }

    @Singleton
    SessionPolicy sessionPolicy(SessionProperties properties) {
        return properties.policy();
    }

    @Singleton
    PasswordPolicy passwordPolicy(PasswordProperties properties) {
        return properties.policy();
    }

    @Singleton
    PasswordHasher passwordHasher(PasswordProperties properties) throws NoSuchAlgorithmException {
        // Its own generator for salts: the hashing threads may run at the lowest scheduling policy, and
        // the shared one's lock (NativePRNG's is global) must never be held by a thread that waits
        // for idle CPU while token generation waits for the lock.
        return new PasswordHasher(properties.bcryptCost(), SecureRandom.getInstance("DRBG"), properties.nativeBcrypt());
    }

    /** bcrypt runs here, never on gRPC or Netty threads, and by default only on CPU time nothing else wants. */
    @Singleton
    @Bean(preDestroy = "close")
    HashingPool hashingPool(PasswordProperties properties, ServiceMetrics metrics) {
        Runnable onThreadStart = properties.idleScheduling() ? IdleScheduling::enter : () -> { };
        return metrics.instrumented(properties.effectiveHashingThreads(), properties.hashingQueue(), onThreadStart);
    }

    @Singleton
    SessionTokens sessionTokens(SecureRandom random) {
        return new SessionTokens(random);
    }

    @Singleton
    UserService userService(UserStore store, PasswordPolicy passwordPolicy, PasswordHasher hasher, HashingPool pool,
                            LoginThrottle throttle, AnnouncingLog revocations, SessionProperties sessions, Clock clock,
                            SecureRandom random) {
        return new UserService(store, passwordPolicy, hasher, pool, throttle, revocations, sessions.forgetAfter(), clock, random);
    }

    @Singleton
    ThrottleStore throttleStore(RedisClusterAsyncCommands<String, String> redis) {
        return new RedisThrottleStore(redis);
    }

    @Singleton
    LoginThrottle loginThrottle(ThrottleStore store, ThrottleProperties properties, SecureRandom random, Clock clock,
                                ThrottleRetries retries) {
        return new LoginThrottle(store, properties.policy(), new DeviceTokens(random), clock, retries.scheduler());
    }

    /** The thread on which counted attempts that must not stand are taken back while Redis cannot answer. */
    @Singleton
    @Bean(preDestroy = "close")
    ThrottleRetries throttleRetries() {
        return new ThrottleRetries(java.util.concurrent.Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "login-throttle-retries");
            thread.setDaemon(true);
            return thread;
        }));
    }

    /** A scheduler of the login throttle's own, stopped with the context. */
    record ThrottleRetries(java.util.concurrent.ScheduledExecutorService scheduler) implements AutoCloseable {
        @Override
        public void close() {
            scheduler.shutdownNow();
        }
    }

    @Singleton
    SessionService sessionService(SessionStore store, SessionPolicy policy, SessionTokens tokens, UserService users,
                                  LoginThrottle throttle, AnnouncingLog revocations, HotSessions hot, Clock clock, AuditLog audit) {
        return new SessionService(store, policy, tokens, users, throttle, revocations, hot, clock, audit);
    }

    @Singleton
    SecondFactorService secondFactorService(SessionService sessions, SessionStore sessionStore, RedisClusterAsyncCommands<String, String> redis,
                                            Tracer tracer, DurableWrites durable, SecondFactorProperties properties, LoginThrottle throttle,
                                            SecureRandom random, Clock clock) {
        SecretBox box = new SecretBox(SecretBox.parseKeys(properties.keys()), properties.activeKey(), random);
        return new SecondFactorService(sessions, new RedisSecondFactorStore(redis, tracer, durable, (RedisSessionStore) sessionStore),
                box, throttle, random, clock);
    }

    @Singleton
    AuditLog auditLog() {
        return new AuditLog();
    }

    /**
     * Loads Unicode's identifier and confusable data (ICU4J, ~170 ms) on a thread of its own as the
     * service starts, not in the first sign-up's or login's time.
     */
    @io.micronaut.context.annotation.Context
    UsernameDataLoaded usernameData() {
        Thread loader = new Thread(() -> io.sessionauthority.service.user.Usernames.skeleton("warm-up"), "username-data");
        loader.setDaemon(true);
        loader.start();
        return new UsernameDataLoaded();
    }

    /** Marks that the username data is being loaded. */
    record UsernameDataLoaded() {
    }
}
