package io.sessionauthority.service.store;

import io.sessionauthority.service.error.Failures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.sessionauthority.service.error.StoreUnavailableException;
import io.netty.channel.ChannelException;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Turns Redis failures into the one outcome callers can act on: the store is unavailable (retry).
 * A script bug or a wrong-type key stays what it is, an internal error, so it is never retried.
 */
final class RedisErrors {

    // Server errors that mean "not now": out of memory (maxmemory with noeviction), loading a
    // dump, a replica or failed-over master refusing writes, a cluster in the middle of a change.
    // At the start of the message, or (Redis 6.2, inside a script) after "-" within it.
    private static final Pattern TRANSIENT = Pattern.compile(
            "(^|\\s-)(OOM|LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|BUSY)\\b");

    private RedisErrors() {
    }

    /** The same stage, with Redis connectivity failures replaced by StoreUnavailableException. */
    static <T> CompletionStage<T> translated(CompletionStage<T> stage) {
        return stage.handle((value, error) -> error == null
                        ? CompletableFuture.completedFuture(value)
                        : CompletableFuture.<T>failedFuture(translate(Failures.unwrap(error))))
                .thenCompose(Function.identity());
    }

    static Throwable translate(Throwable error) {
        if (error instanceof RedisCommandExecutionException execution) {
            String message = String.valueOf(execution.getMessage());
            return TRANSIENT.matcher(message).find() ? unavailable(error) : error;
        }
        if (error instanceof RedisException || error instanceof IOException || error instanceof CancellationException
                || error instanceof RejectedExecutionException || error instanceof ChannelException
                || error instanceof DecoderException) {
            // Timeouts, refused connections, "currently not connected", a connection closed or reset
            // mid-command (Lettuce hands the transport's own IOException, e.g. SocketException
            // "Connection reset", to the command in flight), a command cancelled when its connection
            // was reset, an event loop refusing work while the client shuts down, a reply cut short.
            return unavailable(error);
        }
        return error;
    }

    /** The caller learns that it may retry; the Redis detail (addresses, scripts) stays in the log. */
    private static StoreUnavailableException unavailable(Throwable cause) {
        return new StoreUnavailableException("the session store is unavailable; retry shortly", cause);
    }
}
