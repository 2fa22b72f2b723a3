package io.sessionauthority.service.wiring;

import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.event.command.CommandFailedEvent;
import io.lettuce.core.event.command.CommandListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sessionauthority.service.config.MetricsProperties;
import io.sessionauthority.service.session.AnnouncingLog;
import io.sessionauthority.service.session.HotSessions;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.sessionauthority.service.health.ServingStatus;
import io.sessionauthority.service.metrics.LiveSessionsGauge;
import io.sessionauthority.service.metrics.RedeliveryMetrics;
import io.sessionauthority.service.metrics.ServiceMetrics;
import java.time.Duration;
import io.sessionauthority.service.store.RedisProbe;
import jakarta.inject.Singleton;

/**
 * The service's own metrics, next to the JVM's and Lettuce's command latencies (which Micronaut
 * wires itself): per-RPC calls, latency and status ({@code grpc.server.*}), login outcomes, the
 * hashing pool's queue and wait, failed Redis commands, and an approximate live-session count.
 */
@Factory
public class MetricsFactory {

    /**
     * Per RPC (recorded as {@code grpc.server.processing.duration}, tagged with service, method and
     * status code): a histogram whose buckets are the latencies this service is judged by, so SLOs
     * and percentiles can be computed across replicas. Only these eleven: Micrometer's own percentile
     * buckets are ~70 per method and status, and made most of a sidecar's scrape (issue 26).
     */
    @Singleton
    MeterFilter rpcLatencyHistogram() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals("grpc.server.processing.duration")) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentilesHistogram(false)
                        .serviceLevelObjectives(millis(1), millis(2), millis(5), millis(10), millis(25), millis(50), millis(100),
                                millis(250), millis(500), millis(1000), millis(2500))
                        .build()
                        .merge(config);
            }
        };
    }

    /**
     * Lettuce's command latencies, per command type, are by default a count, a sum and a max, not
     * histograms: their buckets were 2,380 of a scrape's 2,852 series (issue 26), the price a
     * sidecar pays on every scrape for figures that the RPC histograms and Redis' own latency
     * monitoring already give. {@code session-authority.metrics.redis-latency-histograms} turns
     * them back on.
     */
    @Singleton
    MeterFilter redisLatencyBuckets(MetricsProperties properties) {
        boolean histograms = properties.redisLatencyHistograms();
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (histograms || !id.getName().startsWith("lettuce.")) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentilesHistogram(false)
                        .percentiles()
                        .serviceLevelObjectives()
                        .build()
                        .merge(config);
            }
        };
    }

    /**
     * Lettuce tags its command latencies with the Redis server's and the client's addresses: the
     * management port must not tell whoever reaches it where the internal Redis lives.
     */
    @Singleton
    MeterFilter hideRedisAddresses() {
        return MeterFilter.ignoreTags("remote", "local");
    }

    private static double millis(long value) {
        return java.time.Duration.ofMillis(value).toNanos();
    }

    @Singleton
    ServiceMetrics serviceMetrics(MeterRegistry registry) {
        return new ServiceMetrics(registry);
    }

    /** Counts Redis commands that failed (errors, timeouts), by command: on every Redis client. */
    @Singleton
    CommandListener redisCommandFailures(MeterRegistry registry) {
        return new CommandListener() {
            @Override
            public void commandFailed(CommandFailedEvent failed) {
                String message = String.valueOf(failed.getCause().getMessage());
                if (message.startsWith("NOSCRIPT")) {
                    return; // an empty script cache: answered at once by EVAL, not a failure
                }
                if (message.startsWith("ERR no such key")) {
                    return; // XINFO of a revocation log nothing was appended to yet: an answer
                }
                Counter.builder("session_authority.redis.command.failures")
                        .description("Redis commands that failed")
                        .tag("command", failed.getCommand().getType().toString())
                        .register(registry).increment();
            }
        };
    }

    /** The failure counter on every RedisClient bean (Validate's loop clients get it from ServiceFactory). */
    @Singleton
    BeanCreatedEventListener<RedisClient> redisCommandFailuresOnClients(CommandListener failures) {
        return event -> {
            event.getBean().addListener(failures);
            return event.getBean();
        };
    }

    /** Revocation events whose first append failed: retried now, redelivered, given up on. */
    @Context
    RedeliveryMetrics redeliveryMetrics(AnnouncingLog log, MeterRegistry registry) {
        return new RedeliveryMetrics(log, registry);
    }

    /**
     * Readiness and Redis reachability as gauges, and the Validates answered from memory while Redis
     * could not be asked: together, what an outage looked like from this replica.
     */
    @Context
    OutageMetrics outageMetrics(ServiceMetrics metrics, ServingStatus status, HotSessions hot) {
        metrics.health(status::isServing, status::redisAnswers);
        metrics.answersWhileUnreachable(hot);
        return new OutageMetrics();
    }

    /** Marks that the outage metrics are registered. */
    public record OutageMetrics() {
    }

    /** Keys with a TTL in Redis (≈ live sessions), refreshed every 15 s from INFO; never scans the keyspace. */
    @Context
    @Bean(preDestroy = "close")
    LiveSessionsGauge liveSessionsGauge(RedisClusterAsyncCommands<String, String> redis, MeterRegistry registry) {
        RedisProbe probe = new RedisProbe(redis);
        return new LiveSessionsGauge(probe::keysWithTtl, registry, Duration.ofSeconds(15));
    }
}
