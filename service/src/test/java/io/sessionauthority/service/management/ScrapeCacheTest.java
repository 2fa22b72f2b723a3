package io.sessionauthority.service.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ScrapeCacheTest {

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger made = new AtomicInteger();

    private static String text(ScrapeCache.Scrape scrape) {
        return new String(scrape.text(), StandardCharsets.UTF_8);
    }

    @Test
    void scrapersWithinTheMaxAgeShareOneScrapeAndALaterOneGetsANewOne() {
        try (ScrapeCache cache = new ScrapeCache(() -> "scrape " + made.incrementAndGet(), Duration.ofSeconds(1), now::get)) {
            assertThat(text(cache.get().toCompletableFuture().join())).isEqualTo("scrape 1");
            now.addAndGet(Duration.ofMillis(999).toNanos());
            assertThat(text(cache.get().toCompletableFuture().join())).isEqualTo("scrape 1");
            now.addAndGet(Duration.ofMillis(1).toNanos());
            assertThat(text(cache.get().toCompletableFuture().join())).isEqualTo("scrape 2");
        }
    }

    @Test
    void scrapersWhileOneIsBeingMadeWaitForThatOneEvenPastTheMaxAge() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScrapeCache cache = new ScrapeCache(() -> {
            await(release);
            return "scrape " + made.incrementAndGet();
        }, Duration.ofSeconds(1), now::get)) {
            var first = cache.get();
            now.addAndGet(Duration.ofSeconds(5).toNanos());
            var second = cache.get();
            assertThat(second).isSameAs(first);
            release.countDown();
            assertThat(text(second.toCompletableFuture().get(10, TimeUnit.SECONDS))).isEqualTo("scrape 1");
            assertThat(made).hasValue(1);
        }
    }

    @Test
    void aFailedScrapeIsNotKept() {
        try (ScrapeCache cache = new ScrapeCache(() -> {
            if (made.incrementAndGet() == 1) {
                throw new IllegalStateException("meter failed");
            }
            return "scrape " + made.get();
        }, Duration.ofSeconds(1), now::get)) {
            assertThat(cache.get().toCompletableFuture()).failsWithin(Duration.ofSeconds(10));
            assertThat(text(cache.get().toCompletableFuture().join())).isEqualTo("scrape 2");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
