package io.sessionauthority.service.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The wire side of the management port, through Netty's own codec on an in-memory channel. */
@Tag("unit")
class ManagementRequestsTest {

    private static final io.sessionauthority.service.admission.RateQuotas QUOTAS =
            new io.sessionauthority.service.admission.RateQuotas(1000, 1000, 100);

    private static EmbeddedChannel channel(ManagementRoutes routes) {
        return new EmbeddedChannel(new HttpServerCodec(), new ManagementRequests(routes, QUOTAS, java.time.Duration.ofSeconds(5)));
    }

    private static String exchange(EmbeddedChannel channel, String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        StringBuilder answer = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            answer.append(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        return answer.toString();
    }

    @Test
    void aFailingAnswerIs500WithoutItsCause() {
        EmbeddedChannel channel = channel(new ManagementRoutes(() -> true, () -> true, () -> {
            throw new IllegalStateException("secret detail");
        }, QUOTAS));
        String answer = exchange(channel, "GET /prometheus HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 500").doesNotContain("secret detail").doesNotContain("IllegalStateException");
        assertThat(channel.isOpen()).isTrue(); // the connection survives it
    }

    @Test
    void aMalformedRequestIs400AndTheConnectionCloses() {
        EmbeddedChannel channel = channel(new ManagementRoutes(() -> true, () -> true, () -> CompletableFuture.completedFuture(ScrapeCache.Scrape.of("")), QUOTAS));
        String answer = exchange(channel, "GET /health HTTP/1.1\r\nbroken header line without a colon\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("connection: close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void http10IsAnsweredInKindAndClosed() {
        EmbeddedChannel channel = channel(new ManagementRoutes(() -> true, () -> true, () -> CompletableFuture.completedFuture(ScrapeCache.Scrape.of("")), QUOTAS));
        String answer = exchange(channel, "GET /health/liveness HTTP/1.0\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.0 200").endsWith("{\"status\":\"UP\"}");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void keepAliveRequestsShareTheConnectionAndABodyEndsIt() {
        EmbeddedChannel channel = channel(new ManagementRoutes(() -> false, () -> false, () -> CompletableFuture.completedFuture(ScrapeCache.Scrape.of("")), QUOTAS));
        assertThat(exchange(channel, "GET /health/readiness HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 503");
        assertThat(exchange(channel, "HEAD /health/liveness HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200")
                .contains("content-length: 15").doesNotContain("UP");
        assertThat(channel.isOpen()).isTrue();
        String refused = exchange(channel, "POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
        assertThat(refused).startsWith("HTTP/1.1 405").contains("allow: GET, HEAD").contains("connection: close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenWhenAScrapeIsStillBeingMade() {
        CompletableFuture<ScrapeCache.Scrape> scrape = new CompletableFuture<>();
        EmbeddedChannel channel = channel(new ManagementRoutes(() -> true, () -> true, () -> scrape, QUOTAS));
        String early = exchange(channel, "GET /prometheus HTTP/1.1\r\nHost: x\r\n\r\nGET /health/liveness HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(early).as("nothing before the scrape's answer").isEmpty();
        scrape.complete(ScrapeCache.Scrape.of("metric 1\n"));
        channel.runPendingTasks();
        String answers = exchange(channel, "");
        assertThat(answers).startsWith("HTTP/1.1 200").contains("metric 1");
        assertThat(answers.indexOf("metric 1")).isLessThan(answers.indexOf("{\"status\":\"UP\"}"));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aConnectionQueueingMoreThanAFewUnansweredRequestsIsCutOff() {
        EmbeddedChannel channel = channel(new ManagementRoutes(() -> true, () -> true, CompletableFuture::new, QUOTAS));
        exchange(channel, "GET /prometheus HTTP/1.1\r\nHost: x\r\n\r\n".repeat(ManagementRequests.MAX_PENDING + 1));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void gzipIsAcceptedAsPrometheusAndBrowsersAskForItButNotWhenRefused() {
        assertThat(ManagementRequests.acceptsGzip("gzip")).isTrue();
        assertThat(ManagementRequests.acceptsGzip("br, gzip;q=0.8, deflate")).isTrue();
        assertThat(ManagementRequests.acceptsGzip("gzip;q=0")).isFalse();
        assertThat(ManagementRequests.acceptsGzip("identity")).isFalse();
        assertThat(ManagementRequests.acceptsGzip(null)).isFalse();
    }

    @Test
    void aClientSendingRequestsFasterThanItsShareIsCutOff() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new ManagementRequests(
                new ManagementRoutes(() -> true, () -> true, () -> CompletableFuture.completedFuture(ScrapeCache.Scrape.of("")), QUOTAS),
                new io.sessionauthority.service.admission.RateQuotas(1, 3, 100), java.time.Duration.ofSeconds(5)));
        for (int i = 0; i < 3; i++) {
            assertThat(exchange(channel, "GET /health/liveness HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200");
        }
        assertThat(exchange(channel, "GET /health/liveness HTTP/1.1\r\nHost: x\r\n\r\n")).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }
}
