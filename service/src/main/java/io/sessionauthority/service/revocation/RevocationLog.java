package io.sessionauthority.service.revocation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The ordered, durable log of events that end sessions (a Redis Stream). Cursors are the log's own
 * positions: opaque to callers, ordered, and comparable with {@link Cursors}.
 */
public interface RevocationLog {

    /** Appends an event; completes, with its cursor, once it is as durable as a revoke. */
    CompletionStage<String> append(Revocation revocation);

    /** Up to {@code max} events after {@code cursor}, oldest first, and whether any were lost to retention. */
    CompletionStage<Page> after(String cursor, int max);

    /**
     * Events after {@code cursor}, waiting up to {@code wait} for the first one (for one reader per
     * service replica, on a connection of its own); an empty list when none arrived.
     */
    CompletionStage<List<Revocation>> await(String cursor, Duration wait);

    /** The cursor of the newest event ever appended ("0-0" when none): where "from now on" starts. */
    CompletionStage<String> end();

    /**
     * Events after a cursor.
     *
     * @param events the events, oldest first
     * @param gap    whether events after the cursor were already trimmed (retention): a reader must
     *               forget what it derived from the events it has seen
     */
    record Page(List<Revocation> events, boolean gap) {
    }
}
