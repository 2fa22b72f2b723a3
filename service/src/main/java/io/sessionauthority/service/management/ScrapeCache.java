package io.sessionauthority.service.management;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The Prometheus scrape, made on a thread of its own and shared. A scrape costs tens of
 * milliseconds of CPU (every meter, formatted); made on the port's event loop, sixteen scrapers
 * kept liveness from answering for seconds, and made once per request they took CPU from the gRPC
 * calls. Here at most one is made per {@code maxAge}, whatever the number of scrapers: requests
 * meanwhile share the one in progress or the last one made. Prometheus scrapes every 15 s or so,
 * so an answer up to a second old tells it nothing stale.
 */
public final class ScrapeCache implements AutoCloseable {

    /** One scrape, in both encodings a scraper may ask for. */
    public record Scrape(byte[] text, byte[] gzip) {
        static Scrape of(String text) {
            byte[] plain = text.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream compressed = new ByteArrayOutputStream(plain.length / 8 + 64);
            try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
                gzip.write(plain);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Scrape(plain, compressed.toByteArray());
        }
    }

    private final Supplier<String> scrape;
    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread scraper = new Thread(runnable, "management-scrape");
        scraper.setDaemon(true);
        return scraper;
    });
    private CompletableFuture<Scrape> latest;
    private long latestStartedNanos;

    public ScrapeCache(Supplier<String> scrape, Duration maxAge) {
        this(scrape, maxAge, System::nanoTime);
    }

    ScrapeCache(Supplier<String> scrape, Duration maxAge, LongSupplier nanoTime) {
        this.scrape = scrape;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The scrape in progress, or one begun less than {@code maxAge} ago, or a new one. */
    public synchronized CompletionStage<Scrape> get() {
        long now = nanoTime.getAsLong();
        boolean reusable = latest != null && (!latest.isDone()
                || (!latest.isCompletedExceptionally() && now - latestStartedNanos < maxAgeNanos));
        if (!reusable) {
            latestStartedNanos = now;
            // A scrape that hangs fails its scrapers after a while rather than holding them for good.
            latest = CompletableFuture.supplyAsync(() -> Scrape.of(scrape.get()), thread).orTimeout(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        return latest;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
