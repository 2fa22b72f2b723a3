package io.sessionauthority.service.management;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ManagementServerTest {

    private static final ManagementServer.Limits LIMITS = new ManagementServer.Limits(4, 4, 100, 100, 100, 100, Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final ManagementRoutes ROUTES = new ManagementRoutes(() -> true, () -> true, () -> java.util.concurrent.CompletableFuture.completedFuture(ScrapeCache.Scrape.of("")),
            new io.sessionauthority.service.admission.RateQuotas(1, 1, 1));

    @Test
    void aPortInUseIsAClearStartupErrorNamingIt() {
        try (ManagementServer first = ManagementServer.start("127.0.0.1", 0, ROUTES, LIMITS)) {
            assertThatThrownBy(() -> ManagementServer.start("127.0.0.1", first.port(), ROUTES, LIMITS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + first.port())
                    .hasMessageContaining("MANAGEMENT_PORT");
        }
    }
}
