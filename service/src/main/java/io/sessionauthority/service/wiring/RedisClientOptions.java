package io.sessionauthority.service.wiring;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.sessionauthority.service.config.RedisProperties;
import java.io.File;
import io.lettuce.core.TimeoutOptions;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEventListener;
import java.time.Duration;
import jakarta.inject.Singleton;

/**
 * Replaces Lettuce's client defaults before the first connection is made (see {@link RedisProperties}):
 * commands fail at once while disconnected instead of queueing, every command has a short timeout,
 * the queue is bounded, and the connection reconnects by itself.
 */
@Singleton
public class RedisClientOptions implements BeanCreatedEventListener<RedisClient> {

    private final RedisProperties properties;
    private final Duration commandTimeout;

    /**
     * @param commandTimeout the longest one Redis command may take ({@code redis.timeout}, the one Redis
     *                       timeout knob, also Lettuce's own for connections it makes itself); keep it
     *                       below callers' deadlines
     */
    public RedisClientOptions(RedisProperties properties, @Value("${redis.timeout}") Duration commandTimeout) {
        this.properties = properties;
        this.commandTimeout = commandTimeout;
    }

    @Override
    public RedisClient onCreated(BeanCreatedEvent<RedisClient> event) {
        RedisClient client = event.getBean();
        client.setOptions(clientOptions(properties, commandTimeout));
        return client;
    }

    /** The client options the service uses, for any Lettuce client. */
    public static ClientOptions clientOptions(RedisProperties properties, Duration commandTimeout) {
        ClientOptions.Builder options = ClientOptions.builder();
        if (properties.tlsCa() != null && !properties.tlsCa().isBlank()) {
            options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(new File(properties.tlsCa())).build());
        }
        return options
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(properties.requestQueueSize())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(properties.connectTimeout())
                        // A silent connection (a NAT or firewall that dropped it) is found within a minute,
                        // not the OS default's two hours: reads on a quiet event loop's own connection
                        // would otherwise time out until then.
                        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable().idle(Duration.ofSeconds(30))
                                .interval(Duration.ofSeconds(10)).count(3).build())
                        .build())
                .build();
    }
}
