package io.sessionauthority.service.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The zero-setup quick start (the dev jar only: {@link DevApplication}): when no Redis is configured ({@code REDIS_URI} unset, no
 * {@code redis.uri} property), start a private, throw-away Redis on a free loopback port, with no
 * persistence, and say so loudly. Every session is lost when the service stops.
 */
final class EmbeddedRedis {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);

    private EmbeddedRedis() {
    }

    static Optional<String> startIfNotConfigured() {
        if (isSet(System.getenv("REDIS_URI")) || isSet(System.getProperty("redis.uri"))
                || isSet(System.getenv("REDIS_URIS")) || isSet(System.getProperty("redis.uris"))) {
            return Optional.empty();
        }
        int port = freePort();
        try {
            RedisServer server = RedisServer.newRedisServer()
                    .bind("127.0.0.1")
                    .port(port)
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .setting("maxmemory-policy noeviction")
                    .onShutdownForceStop(true)
                    .build();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.stop();
                } catch (IOException e) {
                    // The process is exiting; the child dies with it.
                }
            }, "embedded-redis-stop"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded Redis; set REDIS_URI to use your own", e);
        }
        String uri = "redis://127.0.0.1:" + port;
        LOG.warn("""

                ************************************************************************
                *  REDIS_URI is not set: started a THROW-AWAY embedded Redis at         *
                *  {}.
                *  Every user and session is LOST when this process stops.              *
                *  For anything but a quick try, set REDIS_URI=redis://host:6379.       *
                ************************************************************************""", uri);
        return Optional.of(uri);
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the embedded Redis", e);
        }
    }
}
