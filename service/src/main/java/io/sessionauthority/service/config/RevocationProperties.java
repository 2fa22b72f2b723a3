package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The revocation stream ({@code session-authority.revocations.*}).
 *
 * @param retention       how long events stay in the log: a subscriber away for longer resyncs
 *                        (drops its cache); the log holds about revokes/s × retention entries
 * @param memoryEvents    the newest events each replica keeps in memory, so subscribers that keep up
 *                        never cost Redis a read
 * @param heartbeat       how often an idle stream says it is alive
 * @param pollWait        how long one read of the log waits for events (below {@code redis.timeout})
 * @param staleAfter      how long without a successful read of the log before a replica stops
 *                        sending heartbeats (and its own cache stops answering)
 * @param slowSubscriber  how long a subscriber may leave events waiting before it is cut off
 * @param redeliverFor    how long an event whose append failed (a failover) is retried in the
 *                        background; 0 turns the retries off
 * @param maxRedeliveries events retried at once at most (memory bound during a long outage)
 */
@ConfigurationProperties("session-authority.revocations")
public record RevocationProperties(
        @Bindable(defaultValue = "1h") Duration retention,
        @Bindable(defaultValue = "10000") int memoryEvents,
        @Bindable(defaultValue = "1s") Duration heartbeat,
        @Bindable(defaultValue = "250ms") Duration pollWait,
        @Bindable(defaultValue = "3s") Duration staleAfter,
        @Bindable(defaultValue = "10s") Duration slowSubscriber,
        @Bindable(defaultValue = "30s") Duration redeliverFor,
        @Bindable(defaultValue = "10000") int maxRedeliveries) {
}
