package io.sessionauthority.service.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * What the scrape carries ({@code session-authority.metrics.*}).
 *
 * @param redisLatencyHistograms Lettuce's per-command latency histograms (their buckets were most of
 *                               a scrape's series); off, each command's latency is a count, a sum
 *                               and a max, and the RPC histograms still give the latency callers see
 */
@ConfigurationProperties("session-authority.metrics")
public record MetricsProperties(@Bindable(defaultValue = "false") boolean redisLatencyHistograms) {
}
