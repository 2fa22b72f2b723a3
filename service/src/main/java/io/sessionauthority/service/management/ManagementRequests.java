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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each HTTP request on a management connection from {@link ManagementRoutes}, at its
 * headers. No path takes a body, so a request that announces one is answered and the connection
 * closed without reading it: a body trickled in one byte at a time would otherwise hold a connection
 * past the header deadline. A client that sends requests without reading the answers (pipelining
 * scrapes) is cut off once its unread answers pass the channel's write buffer mark.
 */
final class ManagementRequests extends SimpleChannelInboundHandler<HttpObject> {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementRequests.class);
    private static final RateLimitedLog FAILURES = new RateLimitedLog(LOG, Duration.ofMinutes(1));

    private final ManagementRoutes routes;

    ManagementRequests(ManagementRoutes routes) {
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, HttpObject message) {
        // Body parts (and the empty last part that follows every request) are dropped unread.
        if (!(message instanceof HttpRequest request)) {
            return;
        }
        if (!context.channel().isWritable()) {
            context.close();
            return;
        }
        if (!request.decoderResult().isSuccess()) {
            respond(context, HttpVersion.HTTP_1_1, false, false, ManagementRoutes.Answer.BAD_REQUEST);
            return;
        }
        boolean hasBody = HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request);
        ManagementRoutes.Answer answer;
        try {
            answer = routes.answer(request.method().name(), request.uri());
        } catch (RuntimeException e) {
            FAILURES.warn("answer", "Management port: answering {} failed: {}", request.method(), e.toString());
            answer = ManagementRoutes.Answer.FAILED;
        }
        respond(context, request.protocolVersion(), request.method().equals(HttpMethod.HEAD),
                !hasBody && HttpUtil.isKeepAlive(request), answer);
    }

    private static void respond(ChannelHandlerContext context, HttpVersion version, boolean head, boolean keepAlive,
                                ManagementRoutes.Answer answer) {
        byte[] body = answer.body();
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(answer.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (answer.status() == 405) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = context.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        // A client that resets its connection is not news: one line at debug level, never a trace.
        LOG.debug("Management connection closed after an error: {}", cause.toString());
        context.close();
    }
}
