package io.sessionauthority.service.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.admission.RateQuotas;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ManagementRoutesTest {

    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final AtomicBoolean redisAnswers = new AtomicBoolean(true);
    private final AtomicInteger scrapes = new AtomicInteger();
    private final ManagementRoutes routes = new ManagementRoutes(ready::get, redisAnswers::get,
            () -> CompletableFuture.completedFuture(ScrapeCache.Scrape.of("scrape " + scrapes.incrementAndGet() + "\n")),
            new RateQuotas(1, 3, 100));

    private ManagementRoutes.Answer answer(String method, String uri) {
        return routes.answer(method, uri, false, "10.0.0.1").toCompletableFuture().join();
    }

    private static String body(ManagementRoutes.Answer answer) {
        return new String(answer.body(), StandardCharsets.UTF_8);
    }

    @Test
    void readinessAndTheAggregateFollowTheServingStatusWhileLivenessStaysUp() {
        assertThat(answer("GET", "/health/readiness").status()).isEqualTo(200);
        assertThat(body(answer("GET", "/health"))).isEqualTo("{\"status\":\"UP\"}");
        ready.set(false);
        assertThat(answer("GET", "/health/readiness").status()).isEqualTo(503);
        assertThat(answer("GET", "/health").status()).isEqualTo(503);
        assertThat(body(answer("GET", "/health/readiness"))).isEqualTo("{\"status\":\"DOWN\"}");
        assertThat(answer("GET", "/health/liveness").status()).isEqualTo(200);
    }

    @Test
    void redisHealthIsItsOwnStatusApartFromReadiness() {
        redisAnswers.set(false);
        assertThat(answer("GET", "/health/redis").status()).isEqualTo(503);
        assertThat(answer("GET", "/health/readiness").status()).as("a shared outage keeps the replica in rotation").isEqualTo(200);
        redisAnswers.set(true);
        ready.set(false);
        assertThat(answer("GET", "/health/redis").status()).isEqualTo(200);
        assertThat(answer("GET", "/health/readiness").status()).isEqualTo(503);
    }

    @Test
    void healthIsAnsweredAtOnceWhileAScrapeIsStillBeingMade() {
        CompletableFuture<ScrapeCache.Scrape> slowScrape = new CompletableFuture<>();
        ManagementRoutes waiting = new ManagementRoutes(() -> true, () -> true, () -> slowScrape, new RateQuotas(1, 3, 100));
        assertThat(waiting.answer("GET", "/prometheus", false, "10.0.0.1")).isNotDone();
        assertThat(waiting.answer("GET", "/health/liveness", false, "10.0.0.1")).isDone();
        assertThat(waiting.answer("GET", "/health/readiness", false, "10.0.0.1")).isDone();
    }

    @Test
    void prometheusScrapesInTheTextFormatAndGzipsWhenAsked() throws Exception {
        ManagementRoutes.Answer first = answer("GET", "/prometheus");
        assertThat(first.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(first.contentEncoding()).isNull();
        assertThat(body(first)).isEqualTo("scrape 1\n");
        ManagementRoutes.Answer zipped = routes.answer("GET", "/prometheus?name[]=x", true, "10.0.0.1").toCompletableFuture().join();
        assertThat(zipped.contentEncoding()).isEqualTo("gzip");
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("scrape 2\n");
        }
    }

    @Test
    void aClientScrapingFasterThanItsShareGets429WithRetryAfterWhileOthersAndProbesDoNot() {
        for (int i = 0; i < 3; i++) {
            assertThat(answer("GET", "/prometheus").status()).isEqualTo(200);
        }
        ManagementRoutes.Answer refused = answer("GET", "/prometheus");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(routes.answer("GET", "/prometheus", false, "10.0.0.2").toCompletableFuture().join().status()).isEqualTo(200);
        assertThat(answer("GET", "/health/liveness").status()).isEqualTo(200);
        assertThat(scrapes).as("the refused scrape was never made").hasValue(4);
    }

    @Test
    void onlyTheFourPathsAndOnlyReadsAreServed() {
        for (String path : new String[] {"/", "/metrics", "/health/", "/health/details", "/beans", "/env", "/prometheus/x", "/HEALTH"}) {
            assertThat(answer("GET", path).status()).as(path).isEqualTo(404);
        }
        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
            assertThat(answer(method, "/health").status()).as(method).isEqualTo(405);
            assertThat(answer(method, "/prometheus").status()).as(method).isEqualTo(405);
        }
        assertThat(scrapes).hasValue(0);
        assertThat(answer("HEAD", "/health/liveness").status()).isEqualTo(200);
    }
}
