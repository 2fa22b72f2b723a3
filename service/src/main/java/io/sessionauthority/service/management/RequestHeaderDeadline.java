package io.sessionauthority.service.management;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.sessionauthority.service.admission.ConnectionAdmission;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a management connection unless a request's headers arrive within the timeout of connecting
 * or of its previous response. An idle timeout alone restarts with every byte, so a slow client
 * trickling one header line at a time could hold a connection (and a file descriptor the gRPC port
 * also needs) for ever. While the deadline runs, the connection is waiting in the port's
 * {@link ConnectionAdmission}: the first to be closed when a new connection needs room.
 */
final class RequestHeaderDeadline extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private final ConnectionAdmission admission;
    private ScheduledFuture<?> timer;

    RequestHeaderDeadline(Duration timeout, ConnectionAdmission admission) {
        this.timeoutNanos = timeout.toNanos();
        this.admission = admission;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        arm(context);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (message instanceof HttpRequest) {
            cancel();
            admission.active(context.channel());
        }
        context.fireChannelRead(message);
    }

    @Override
    public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
        if (message instanceof LastHttpContent) {
            ChannelPromise tracked = promise.unvoid();
            tracked.addListener(written -> arm(context));
            context.write(message, tracked);
            return;
        }
        context.write(message, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        cancel();
        context.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext context) {
        cancel();
        if (context.channel().isOpen()) {
            admission.waiting(context.channel());
            timer = context.executor().schedule(() -> {
                context.close();
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
