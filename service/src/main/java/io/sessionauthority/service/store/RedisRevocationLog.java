package io.sessionauthority.service.store;

import static io.sessionauthority.service.store.RedisErrors.translated;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.revocation.Cursors;
import io.sessionauthority.service.revocation.EndReason;
import io.sessionauthority.service.revocation.Revocation;
import io.sessionauthority.service.revocation.RevocationLog;
import io.sessionauthority.service.store.RedisSchema.RevocationFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The revocation log as one Redis Stream, {@code sa:{revocations}}, trimmed to the retention by
 * every append ({@code MINID ~}). Appends are durable like the revokes they report (WAIT, see
 * {@link DurableWrites}); reads that wait ({@code XREAD BLOCK}) use a connection of their own.
 *
 * <p>On Redis Cluster the stream is one key in one slot, so it cannot be written by the scripts
 * that end sessions (they may touch only the user's slot): the event is appended right after the
 * script, before the caller is answered. A service that dies between the two has not answered
 * the revoke, so the caller retries it, and a retried revoke appends its event again; events are
 * idempotent for their readers. The same order is used on every topology, so there is one code path.
 */
public final class RedisRevocationLog implements RevocationLog, AutoCloseable {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> reader;
    private final DurableWrites durable;
    private final Duration retention;
    private final Clock clock;
    private final Runnable closeReader;
    private final LuaScript appendScript = LuaScript.loadAlone("append_revocation");
    private volatile boolean scriptFlagsUnsupported;

    /**
     * @param redis     the shared connection, for reads that do not wait
     * @param reader    a connection of its own, for {@code XREAD BLOCK}, closed by {@code closeReader}
     * @param retention how long events stay readable: a subscriber away for longer must resync
     */
    public RedisRevocationLog(RedisClusterAsyncCommands<String, String> redis, RedisClusterAsyncCommands<String, String> reader,
                              Runnable closeReader, DurableWrites durable, Duration retention, Clock clock) {
        this.closeReader = closeReader;
        this.redis = redis;
        this.reader = reader;
        this.durable = durable;
        this.retention = retention;
        this.clock = clock;
    }

    @Override
    public CompletionStage<String> append(Revocation revocation) {
        String key = RedisSchema.revocations();
        String[] args = {
                Long.toString(Math.max(0, clock.millis() - retention.toMillis())),
                RevocationFields.USER, revocation.userId(),
                RevocationFields.SESSION, revocation.sessionId(),
                RevocationFields.EXCEPT, revocation.exceptSessionId(),
                RevocationFields.REASON, revocation.reason().code(),
                RevocationFields.TIME, Long.toString(revocation.time().toEpochMilli())};
        return translated(durable.run(key, master -> {
            if (scriptFlagsUnsupported) {
                return plainAppend(master, key, args);
            }
            return appendScript.<String>run(master, ScriptOutputType.VALUE, new String[] {key}, args)
                    .exceptionallyCompose(error -> {
                        Throwable cause = Failures.unwrap(error);
                        if (cause instanceof RedisCommandExecutionException && String.valueOf(cause.getMessage()).contains("near '#'")) {
                            // Redis before 7.0 knows no script flags: a plain XADD, refused while Redis is full.
                            scriptFlagsUnsupported = true;
                            return plainAppend(master, key, args);
                        }
                        return CompletableFuture.failedFuture(cause);
                    });
        }));
    }

    private static CompletionStage<String> plainAppend(RedisClusterAsyncCommands<String, String> master, String key, String[] args) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            fields.put(args[i], args[i + 1]);
        }
        return master.xadd(key, XAddArgs.Builder.minId(args[0]).approximateTrimming(), fields);
    }

    @Override
    public CompletionStage<Page> after(String cursor, int max) {
        String key = RedisSchema.revocations();
        CompletionStage<Page> page = redis.xrange(key, Range.create(next(cursor), "+"), Limit.from(max))
                .thenCompose(messages -> trimmedAfter(cursor).thenApply(gap -> new Page(toRevocations(messages), gap)));
        return translated(page);
    }

    @Override
    public CompletionStage<List<Revocation>> await(String cursor, Duration wait) {
        CompletionStage<List<Revocation>> events = reader.xread(XReadArgs.Builder.block(wait).count(1000),
                        XReadArgs.StreamOffset.from(RedisSchema.revocations(), cursor))
                .thenApply(messages -> messages == null ? List.of() : toRevocations(messages));
        return translated(events);
    }

    @Override
    public CompletionStage<String> end() {
        return translated(info().thenApply(info -> info.getOrDefault("last-generated-id", Cursors.START)));
    }

    @Override
    public void close() {
        closeReader.run();
    }

    /**
     * Whether entries after {@code cursor} are gone. Trimming does not record what it removed
     * (XINFO's max-deleted-entry-id follows XDEL only), so: entries were removed at all, and the
     * oldest one left is after the one right after the cursor (or none is left and the newest ever
     * is after the cursor). A subscriber whose own last event was the newest one trimmed is told to
     * reset although it missed nothing: a dropped cache, never a missed revocation.
     */
    private CompletionStage<Boolean> trimmedAfter(String cursor) {
        return info().thenApply(info -> {
            String maxDeleted = info.getOrDefault("max-deleted-entry-id", Cursors.START);
            if (Cursors.compare(maxDeleted, cursor) > 0) {
                return true;
            }
            long added = Long.parseLong(info.getOrDefault("entries-added", "0"));
            long length = Long.parseLong(info.getOrDefault("length", "0"));
            if (added <= length && info.containsKey("entries-added")) {
                return false; // nothing was ever removed
            }
            String first = info.get("first-entry-id");
            if (first == null) {
                return Cursors.compare(info.getOrDefault("last-generated-id", Cursors.START), cursor) > 0;
            }
            return Cursors.compare(first, next(cursor)) > 0;
        });
    }

    /** XINFO STREAM as a map of its scalar fields ("first-entry-id" added); empty when there is no stream yet. */
    private CompletionStage<Map<String, String>> info() {
        return redis.xinfoStream(RedisSchema.revocations()).handle((reply, error) -> {
            if (error != null) {
                Throwable cause = Failures.unwrap(error);
                if (cause instanceof RedisCommandExecutionException && String.valueOf(cause.getMessage()).contains("no such key")) {
                    return Map.<String, String>of();
                }
                throw new java.util.concurrent.CompletionException(cause);
            }
            Map<String, String> fields = new java.util.HashMap<>();
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                Object value = reply.get(i + 1);
                if (value instanceof String || value instanceof Long) {
                    fields.put(String.valueOf(reply.get(i)), String.valueOf(value));
                } else if ("first-entry".equals(reply.get(i)) && value instanceof List<?> entry && !entry.isEmpty()) {
                    fields.put("first-entry-id", String.valueOf(entry.get(0)));
                }
            }
            return fields;
        });
    }

    private static String next(String cursor) {
        int dash = cursor.indexOf('-');
        return cursor.substring(0, dash + 1) + Long.toUnsignedString(Long.parseUnsignedLong(cursor.substring(dash + 1)) + 1);
    }

    private static List<Revocation> toRevocations(List<StreamMessage<String, String>> messages) {
        List<Revocation> events = new ArrayList<>(messages.size());
        for (StreamMessage<String, String> message : messages) {
            Map<String, String> body = message.getBody();
            // An event of a reason this version does not know (written by a newer one) still ends
            // sessions: read as a revoke by an administrator, the most general.
            EndReason reason = EndReason.ofCode(body.getOrDefault(RevocationFields.REASON, "")).orElse(EndReason.ADMIN_REVOKE);
            events.add(new Revocation(message.getId(),
                    body.getOrDefault(RevocationFields.USER, ""),
                    body.getOrDefault(RevocationFields.SESSION, ""),
                    body.getOrDefault(RevocationFields.EXCEPT, ""),
                    reason,
                    Instant.ofEpochMilli(Long.parseLong(body.getOrDefault(RevocationFields.TIME, "0")))));
        }
        return events;
    }
}
