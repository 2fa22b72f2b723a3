package io.sessionauthority.service.store;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.sessionauthority.service.error.StoreUnavailableException;
import java.util.List;
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
    private static final List<String> TRANSIENT_PREFIXES = List.of(
            "OOM", "LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOREPLICAS", "BUSY", "MOVED", "ASK");

    private RedisErrors() {
    }

    /** The same stage, with Redis connectivity failures replaced by StoreUnavailableException. */
    static <T> CompletionStage<T> translated(CompletionStage<T> stage) {
        return stage.handle((value, error) -> error == null
                        ? CompletableFuture.completedFuture(value)
                        : CompletableFuture.<T>failedFuture(translate(LuaScript.unwrap(error))))
                .thenCompose(Function.identity());
    }

    static Throwable translate(Throwable error) {
        if (error instanceof RedisCommandExecutionException execution) {
            String message = String.valueOf(execution.getMessage());
            return TRANSIENT_PREFIXES.stream().anyMatch(message::startsWith)
                    ? unavailable(message, error)
                    : error;
        }
        if (error instanceof RedisException) {
            // Timeouts, refused connections, "currently not connected", a connection closed mid-command.
            return unavailable(error.getMessage(), error);
        }
        return error;
    }

    private static StoreUnavailableException unavailable(String detail, Throwable cause) {
        return new StoreUnavailableException("the session store is unavailable (" + detail + "); retry shortly", cause);
    }
}
