package io.sessionauthority.spring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sessionauthority.client.ClientListener;
import java.time.Duration;

/**
 * Micrometer meters of the client's calls, fed by the SDK as a {@link ClientListener}:
 *
 * <ul>
 *   <li>{@value #CALLS} — a timer per {@code method} and {@code outcome} ({@code ok},
 *       {@code not_valid}, {@code unavailable}, {@code misconfigured}, {@code throttled},
 *       {@code invalid_argument}, {@code error});</li>
 *   <li>{@value #CACHE_HITS} — a counter per {@code method} of answers served by the near-cache
 *       without a call.</li>
 * </ul>
 */
public class SessionAuthorityMetrics implements ClientListener {

    /** The timer of calls to the authority. */
    public static final String CALLS = "session_authority.client.calls";

    /** The counter of near-cache hits. */
    public static final String CACHE_HITS = "session_authority.client.cache.hits";

    private final Meter.MeterProvider<Timer> calls;
    private final Meter.MeterProvider<Counter> cacheHits;

    /**
     * Records into {@code registry}.
     *
     * @param registry where the meters go
     */
    public SessionAuthorityMetrics(MeterRegistry registry) {
        // Providers register each method/outcome pair once and then look it up, without a builder per call.
        this.calls = Timer.builder(CALLS)
                .description("Calls to Session Authority, by method and outcome")
                .withRegistry(registry);
        this.cacheHits = Counter.builder(CACHE_HITS)
                .description("Answers served by the client's near-cache without a call to Session Authority")
                .withRegistry(registry);
    }

    @Override
    public void onCall(String method, Duration latency, String outcome) {
        calls.withTags("method", method, "outcome", outcome).record(latency);
    }

    @Override
    public void onCacheHit(String method) {
        cacheHits.withTag("method", method).increment();
    }
}
