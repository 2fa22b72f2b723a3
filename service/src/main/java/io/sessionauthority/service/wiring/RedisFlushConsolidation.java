package io.sessionauthority.service.wiring;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.micronaut.configuration.lettuce.AbstractRedisConfiguration;
import io.micronaut.configuration.lettuce.ClientResourcesMutator;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import jakarta.inject.Singleton;

/**
 * One write to Redis' socket for all the commands that are ready, not one per command.
 *
 * <p>Lettuce flushes every command on its own, so under load each Validate cost the service a
 * write(2), and Redis a read(2), for its few dozen bytes: measured with perf, sending was over a
 * third of Lettuce's thread. With the flushes consolidated, the commands that callers hand to the
 * connection's event loop while it is busy go out together at the end of that loop turn (and
 * replies, which Redis batches too, come back in fewer reads). A command issued while the loop is
 * idle still leaves at once: it waits for nothing but the loop turn it starts.
 */
@Singleton
public class RedisFlushConsolidation implements ClientResourcesMutator {

    /** A flush is forced after this many, so that a loop turn that never ends cannot hold commands back. */
    static final int MAX_CONSOLIDATED_FLUSHES = 256;

    @Override
    public void mutate(ClientResources.Builder builder, AbstractRedisConfiguration configuration) {
        builder.nettyCustomizer(new NettyCustomizer() {
            @Override
            public void afterChannelInitialized(Channel channel) {
                channel.pipeline().addFirst(new FlushConsolidationHandler(MAX_CONSOLIDATED_FLUSHES, true));
            }
        });
    }
}
