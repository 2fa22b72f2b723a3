package io.sessionauthority.service.management;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.sessionauthority.service.logging.RateLimitedLog;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each HTTP request on a management connection from {@link ManagementRoutes}, at its
 * headers. No path takes a body, so a request that announces one is answered and the connection
 * closed without reading it: a body trickled in one byte at a time would otherwise hold a connection
 * past the header deadline.
 *
 * <p>A scrape is answered when it is ready, on the event loop, and never holds the loop meanwhile.
 * Answers on one connection go out in the order of its requests (HTTP/1.1 pipelining), so a request
 * waits for the answers before it; a connection with more than {@link #MAX_PENDING} unanswered
 * requests, or whose unread answers pass the channel's write buffer mark, is cut off, and so is one
 * whose address sends requests faster than its share ({@code requestsPerClient}): a client firing
 * cheap requests back to back on keep-alive connections once kept the port's thread busy enough to
 * take a core from the gRPC calls. An answer not written out within the answer timeout (a client
 * that stopped reading) ends its connection.
 */
final class ManagementRequests extends SimpleChannelInboundHandler<HttpObject> {

    /** Unanswered requests one connection may queue: a probe and a scrape, and a few to spare. */
    static final int MAX_PENDING = 4;

    private static final Logger LOG = LoggerFactory.getLogger(ManagementRequests.class);
    private static final RateLimitedLog FAILURES = new RateLimitedLog(LOG, Duration.ofMinutes(1));

    private final ManagementRoutes routes;
    private final io.sessionauthority.service.admission.RateQuotas requestsPerClient;
    private final Duration answerTimeout;
    /** Touched on the connection's event loop only. */
    private CompletableFuture<Void> lastWritten = CompletableFuture.completedFuture(null);
    private int pending;

    /**
     * @param answerTimeout how long an answer may take to be written out: a client that stops reading
     *                      mid-answer would otherwise hold its connection, never waiting and never
     *                      closed to make room, until the idle timeout
     */
    ManagementRequests(ManagementRoutes routes, io.sessionauthority.service.admission.RateQuotas requestsPerClient,
                       Duration answerTimeout) {
        this.routes = routes;
        this.requestsPerClient = requestsPerClient;
        this.answerTimeout = answerTimeout;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, HttpObject message) {
        // Body parts (and the empty last part that follows every request) are dropped unread.
        if (!(message instanceof HttpRequest request)) {
            return;
        }
        if (!context.channel().isWritable() || pending >= MAX_PENDING || !requestsPerClient.take(clientOf(context)).isZero()) {
            context.close();
            return;
        }
        HttpVersion version = request.protocolVersion();
        if (!request.decoderResult().isSuccess()) {
            answerInOrder(context, CompletableFuture.completedFuture(ManagementRoutes.Answer.BAD_REQUEST), HttpVersion.HTTP_1_1, false, false);
            return;
        }
        boolean hasBody = HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request);
        boolean acceptsGzip = acceptsGzip(request.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
        CompletionStage<ManagementRoutes.Answer> answer;
        try {
            answer = routes.answer(request.method().name(), request.uri(), acceptsGzip, clientOf(context));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        String method = request.method().name();
        answer = answer.exceptionally(error -> {
            FAILURES.warn("answer", "Management port: answering {} failed: {}", method, error.toString());
            return ManagementRoutes.Answer.FAILED;
        });
        answerInOrder(context, answer, version, request.method().equals(HttpMethod.HEAD), !hasBody && HttpUtil.isKeepAlive(request));
    }

    private static String clientOf(ChannelHandlerContext context) {
        return context.channel().remoteAddress() instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(context.channel().remoteAddress());
    }

    /** Whether an Accept-Encoding value lists gzip (Prometheus sends "gzip"), not refused with q=0. */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.trim().split(";");
            if (parts[0].trim().equalsIgnoreCase("gzip")) {
                return parts.length < 2 || !parts[1].replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    private void answerInOrder(ChannelHandlerContext context, CompletionStage<ManagementRoutes.Answer> answer, HttpVersion version,
                               boolean head, boolean keepAlive) {
        pending++;
        CompletableFuture<Void> written = new CompletableFuture<>();
        lastWritten.thenCombine(answer, (previous, ready) -> ready).thenAccept(ready -> {
            if (context.executor().inEventLoop()) {
                respond(context, version, head, keepAlive, ready, written);
            } else {
                context.executor().execute(() -> respond(context, version, head, keepAlive, ready, written));
            }
        });
        lastWritten = written;
    }

    private void respond(ChannelHandlerContext context, HttpVersion version, boolean head, boolean keepAlive,
                         ManagementRoutes.Answer answer, CompletableFuture<Void> written) {
        pending--;
        try {
            write(context, version, head, keepAlive, answer, answerTimeout);
        } finally {
            written.complete(null); // after the write is queued: the next answer goes out behind it
        }
    }

    private static void write(ChannelHandlerContext context, HttpVersion version, boolean head, boolean keepAlive,
                              ManagementRoutes.Answer answer, Duration answerTimeout) {
        if (!context.channel().isActive()) {
            return;
        }
        if (!context.channel().isWritable()) {
            context.close(); // its earlier answers are still unread
            return;
        }
        byte[] body = answer.body();
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(answer.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (answer.contentEncoding() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_ENCODING, answer.contentEncoding());
        }
        if (answer.status() == 405) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        if (answer.retryAfterSeconds() > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, answer.retryAfterSeconds());
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        var sent = context.writeAndFlush(response);
        if (!keepAlive) {
            sent.addListener(ChannelFutureListener.CLOSE);
        }
        if (!sent.isDone()) {
            var deadline = context.executor().schedule(() -> {
                if (!sent.isDone()) {
                    context.close();
                }
            }, answerTimeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            sent.addListener(done -> deadline.cancel(false));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        // A client that resets its connection is not news: one line at debug level, never a trace.
        LOG.debug("Management connection closed after an error: {}", cause.toString());
        context.close();
    }
}
