package io.sessionauthority.service.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ManagementRoutesTest {

    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final AtomicInteger scrapes = new AtomicInteger();
    private final ManagementRoutes routes = new ManagementRoutes(ready::get, () -> "scrape " + scrapes.incrementAndGet() + "\n");

    private static String body(ManagementRoutes.Answer answer) {
        return new String(answer.body(), StandardCharsets.UTF_8);
    }

    @Test
    void readinessAndTheAggregateFollowTheServingStatusWhileLivenessStaysUp() {
        assertThat(routes.answer("GET", "/health/readiness").status()).isEqualTo(200);
        assertThat(body(routes.answer("GET", "/health"))).isEqualTo("{\"status\":\"UP\"}");
        ready.set(false);
        assertThat(routes.answer("GET", "/health/readiness").status()).isEqualTo(503);
        assertThat(routes.answer("GET", "/health").status()).isEqualTo(503);
        assertThat(body(routes.answer("GET", "/health/readiness"))).isEqualTo("{\"status\":\"DOWN\"}");
        assertThat(routes.answer("GET", "/health/liveness").status()).isEqualTo(200);
    }

    @Test
    void prometheusScrapesOnEveryGetInTheTextFormat() {
        ManagementRoutes.Answer first = routes.answer("GET", "/prometheus");
        assertThat(first.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(body(first)).isEqualTo("scrape 1\n");
        assertThat(body(routes.answer("GET", "/prometheus?name[]=x"))).isEqualTo("scrape 2\n");
    }

    @Test
    void onlyTheFourPathsAndOnlyReadsAreServed() {
        for (String path : new String[] {"/", "/metrics", "/health/", "/health/details", "/beans", "/env", "/prometheus/x", "/HEALTH"}) {
            assertThat(routes.answer("GET", path).status()).as(path).isEqualTo(404);
        }
        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS", "TRACE"}) {
            assertThat(routes.answer(method, "/health").status()).as(method).isEqualTo(405);
            assertThat(routes.answer(method, "/prometheus").status()).as(method).isEqualTo(405);
        }
        assertThat(scrapes).hasValue(0);
        assertThat(routes.answer("HEAD", "/health/liveness").status()).isEqualTo(200);
    }
}
