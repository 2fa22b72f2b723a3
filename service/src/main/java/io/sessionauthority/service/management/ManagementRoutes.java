package io.sessionauthority.service.management;

import io.sessionauthority.service.admission.RateQuotas;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the management port answers, and nothing more: the health paths and the Prometheus scrape.
 * Health reveals only a status (no Redis address, no details) to whoever reaches the port.
 * Readiness is gRPC health's readiness (health.ServingStatus says when a replica leaves rotation);
 * {@code /health/redis} says whether this replica reaches Redis, for alerting. Liveness is neither:
 * a process that is draining or waiting for Redis is alive, and restarting it would not help.
 *
 * <p>Health answers are constants, ready at once from state the service already holds; only the
 * scrape is made elsewhere ({@link ScrapeCache}) and answered when it is ready, so a probe never
 * waits for one.
 */
public final class ManagementRoutes {

    static final String JSON = "application/json";
    /** The Prometheus text exposition format, version 0.0.4 (what every scraper accepts). */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final Answer UP = Answer.of(200, JSON, "{\"status\":\"UP\"}");
    private static final Answer DOWN = Answer.of(503, JSON, "{\"status\":\"DOWN\"}");
    private static final Answer NOT_FOUND = Answer.of(404, JSON, "{\"message\":\"Not Found\"}");
    private static final Answer NOT_ALLOWED = Answer.of(405, JSON, "{\"message\":\"Method Not Allowed: GET or HEAD\"}");

    private static final Set<String> PATHS = Set.of("/health", "/health/liveness", "/health/readiness", "/health/redis", "/prometheus");

    private final BooleanSupplier ready;
    private final BooleanSupplier redisAnswers;
    private final Supplier<CompletionStage<ScrapeCache.Scrape>> scrapes;
    private final RateQuotas scrapesPerClient;

    /**
     * @param ready            whether this replica should be in rotation now (readiness)
     * @param redisAnswers     whether this replica reaches Redis now
     * @param scrapes          the metrics in the Prometheus text format, when they are ready
     * @param scrapesPerClient how often one client (by address) may scrape: a scraper pulling as fast
     *                         as it can moved gigabytes a minute through the port's one thread
     */
    public ManagementRoutes(BooleanSupplier ready, BooleanSupplier redisAnswers, Supplier<CompletionStage<ScrapeCache.Scrape>> scrapes,
                            RateQuotas scrapesPerClient) {
        this.ready = ready;
        this.redisAnswers = redisAnswers;
        this.scrapes = scrapes;
        this.scrapesPerClient = scrapesPerClient;
    }

    /** The answer to {@code method} on {@code uri} (its query, if any, is ignored) for {@code client} (its address). */
    CompletionStage<Answer> answer(String method, String uri, boolean acceptsGzip, String client) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (!PATHS.contains(path)) {
            return CompletableFuture.completedFuture(NOT_FOUND);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return CompletableFuture.completedFuture(NOT_ALLOWED);
        }
        return switch (path) {
            case "/health/liveness" -> CompletableFuture.completedFuture(UP);
            case "/health/redis" -> CompletableFuture.completedFuture(redisAnswers.getAsBoolean() ? UP : DOWN);
            case "/prometheus" -> scrape(acceptsGzip, client);
            default -> CompletableFuture.completedFuture(ready.getAsBoolean() ? UP : DOWN);
        };
    }

    private CompletionStage<Answer> scrape(boolean acceptsGzip, String client) {
        Duration wait = scrapesPerClient.take(client);
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            return CompletableFuture.completedFuture(new Answer(429, JSON, null,
                    "{\"message\":\"Too Many Requests: scrape less often\"}".getBytes(StandardCharsets.UTF_8), seconds));
        }
        return scrapes.get().thenApply(scrape -> acceptsGzip
                ? new Answer(200, PROMETHEUS_TEXT, "gzip", scrape.gzip(), 0)
                : new Answer(200, PROMETHEUS_TEXT, null, scrape.text(), 0));
    }

    /**
     * An HTTP answer: status, content type, content encoding (null: none), body (shared: never
     * written to) and, for 429, the seconds a client should wait (Retry-After).
     */
    record Answer(int status, String contentType, String contentEncoding, byte[] body, long retryAfterSeconds) {

        static final Answer BAD_REQUEST = of(400, JSON, "{\"message\":\"Bad Request\"}");
        /** Whatever went wrong, the wire gets this and never a stack trace. */
        static final Answer FAILED = of(500, JSON, "{\"message\":\"Internal Server Error\"}");

        static Answer of(int status, String contentType, String body) {
            return new Answer(status, contentType, null, body.getBytes(StandardCharsets.UTF_8), 0);
        }
    }
}
