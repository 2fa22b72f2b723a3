package io.sessionauthority.service.wiring;

import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.sessionauthority.service.config.RevocationProperties;
import io.sessionauthority.service.config.ValidationCacheProperties;
import io.sessionauthority.service.grpc.RevocationStreams;
import io.sessionauthority.service.revocation.RevocationHub;
import io.sessionauthority.service.session.AnnouncingLog;
import io.sessionauthority.service.health.ServingStatus;
import io.sessionauthority.service.session.HotSessions;
import io.sessionauthority.service.store.DurableWrites;
import io.sessionauthority.service.store.DeferredConnection;
import io.sessionauthority.service.store.RedisRevocationLog;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The revocation log, the one reader of it per replica, and the streams to subscribers. */
@Factory
public class RevocationFactory {

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(missingProperty = "redis.uris")
    RedisRevocationLog revocationLog(RedisClusterAsyncCommands<String, String> redis, RedisClient client, DurableWrites durable,
                                     RevocationProperties properties, @Value("${redis.timeout}") Duration commandTimeout, Clock clock) {
        requirePollBelow(properties, commandTimeout);
        // XREAD BLOCK holds its connection: never the one every Validate rides on.
        DeferredConnection reader = DeferredConnection.standalone("revocation-reader", client);
        return new RedisRevocationLog(redis, reader.commands(), reader::close, durable, properties.retention(), clock);
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "redis.uris")
    RedisRevocationLog clusterRevocationLog(RedisClusterAsyncCommands<String, String> redis, RedisClusterClient client,
                                            DurableWrites durable, RevocationProperties properties,
                                            @Value("${redis.timeout}") Duration commandTimeout, Clock clock) {
        requirePollBelow(properties, commandTimeout);
        DeferredConnection reader = DeferredConnection.cluster("revocation-reader", client);
        return new RedisRevocationLog(redis, reader.commands(), reader::close, durable, properties.retention(), clock);
    }

    @Singleton
    @Bean(preDestroy = "close")
    RevocationHub revocationHub(RedisRevocationLog log, RevocationProperties properties) {
        return new RevocationHub(log, properties.memoryEvents(), properties.pollWait(), properties.staleAfter());
    }

    @Singleton
    @Bean(preDestroy = "close")
    RevocationStreams revocationStreams(RevocationHub hub, RevocationProperties properties) {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, runnable -> {
            Thread thread = new Thread(runnable, "revocation-streams");
            thread.setDaemon(true);
            return thread;
        });
        return new RevocationStreams(hub, scheduler, properties.heartbeat(), properties.slowSubscriber());
    }

    @Singleton
    @Bean(preDestroy = "close")
    HotSessions hotSessions(RevocationHub hub, ValidationCacheProperties properties, ServingStatus health, Clock clock) {
        return new HotSessions(hub, properties.maxEntries(), properties.maxAge(), properties.outageGrace(), health::cutOffAlone, clock);
    }

    /** What the services append to: the log, then this replica's hot sessions at once. */
    @Singleton
    @Bean(preDestroy = "close")
    AnnouncingLog announcingLog(RedisRevocationLog log, HotSessions hot, RevocationProperties properties) {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, runnable -> {
            Thread thread = new Thread(runnable, "revocation-redelivery");
            thread.setDaemon(true);
            return thread;
        });
        return new AnnouncingLog(log, hot, scheduler, properties.redeliverFor(), properties.maxRedeliveries());
    }

    private static void requirePollBelow(RevocationProperties properties, Duration commandTimeout) {
        if (properties.pollWait().compareTo(commandTimeout) >= 0) {
            throw new IllegalStateException("session-authority.revocations.poll-wait (" + properties.pollWait()
                    + ") must be below redis.timeout (" + commandTimeout + ")");
        }
    }
}
