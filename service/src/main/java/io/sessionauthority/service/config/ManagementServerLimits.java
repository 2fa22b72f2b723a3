package io.sessionauthority.service.config;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the management port (metrics and probes) from starving the process. It shares file
 * descriptors and threads with the gRPC port: slow clients holding a thousand connections there
 * once made gRPC Validate fail. Micronaut has no connection cap and no request-header timeout (its
 * idle timeout restarts with every byte a slow client trickles in), so both are added here:
 * connections beyond {@code max-connections} are closed at once, and a connection whose request
 * headers are not complete within {@code header-timeout} of connecting (or of its previous
 * response) is closed.
 */
@Singleton
@Requires(beans = NettyServerCustomizer.Registry.class)
public class ManagementServerLimits implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServerLimits.class);

    private final int maxConnections;
    private final Duration headerTimeout;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    public ManagementServerLimits(ManagementProperties properties) {
        this.maxConnections = properties.maxConnections();
        this.headerTimeout = properties.headerTimeout();
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new NettyServerCustomizer() {
            @Override
            public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
                return role == ChannelRole.CONNECTION ? admit(channel) : this;
            }
        });
        return event.getBean();
    }

    /** Connections open on the management port now. */
    public int openConnections() {
        return open.get();
    }

    private NettyServerCustomizer admit(Channel channel) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            if (refused.getAndIncrement() % 1000 == 0) {
                LOG.warn("Management port: {} connections open, refusing more ({} refused so far)", maxConnections, refused.get());
            }
            channel.close();
            return new NettyServerCustomizer() {
            };
        }
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        return new NettyServerCustomizer() {
            @Override
            public void onInitialPipelineBuilt() {
                if (channel.pipeline().get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null) {
                    channel.pipeline().addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, "request-header-deadline",
                            new RequestHeaderDeadline(headerTimeout));
                }
            }
        };
    }

    /** Closes the connection unless a request's headers arrive within the timeout of connecting or of the last response. */
    static final class RequestHeaderDeadline extends ChannelDuplexHandler {

        private final long timeoutNanos;
        private ScheduledFuture<?> timer;

        RequestHeaderDeadline(Duration timeout) {
            this.timeoutNanos = timeout.toNanos();
        }

        @Override
        public void handlerAdded(ChannelHandlerContext context) {
            arm(context);
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            if (message instanceof HttpRequest) {
                cancel();
            }
            context.fireChannelRead(message);
        }

        @Override
        public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
            if (message instanceof LastHttpContent) {
                // Micronaut writes with void promises, which take no listener: ask for a real one.
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
            if (context.channel().isActive() || !context.channel().isRegistered()) {
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
}
