package io.sessionauthority.service.store;

import io.sessionauthority.service.error.Failures;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One Lua script from {@code resources/store}, with the shared prelude prepended. Runs by EVALSHA
 * (one small request) and falls back to EVAL when Redis answers NOSCRIPT: the script cache is
 * empty after a restart or a failover, and EVAL reloads it.
 */
final class LuaScript {

    private final String name;
    private final String source;
    private final String sha1;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha1 = sha1Hex(source);
    }

    static LuaScript load(String name) {
        return new LuaScript(name, resource("prelude.lua") + "\n" + resource(name + ".lua"));
    }

    /** A script that needs no prelude (one with a {@code #!lua flags=} line, which must come first). */
    static LuaScript loadAlone(String name) {
        return new LuaScript(name, resource(name + ".lua"));
    }

    <T> CompletionStage<T> run(RedisClusterAsyncCommands<String, String> redis, ScriptOutputType type,
                               String[] keys, String... args) {
        CompletionStage<T> first = redis.evalsha(sha1, type, keys, args);
        return first.exceptionallyCompose(error -> Failures.unwrap(error) instanceof RedisNoScriptException
                ? redis.<T>eval(source, type, keys, args)
                : CompletableFuture.failedFuture(Failures.unwrap(error)));
    }

    /**
     * As {@link #run}, inside a client span when an RPC span is current on this thread (the Redis work
     * of a traced call); without one (background work), no span is started.
     */
    <T> CompletionStage<T> run(Tracer tracer, RedisClusterAsyncCommands<String, String> redis, ScriptOutputType type,
                               String[] keys, String... args) {
        if (!Span.current().getSpanContext().isValid()) {
            return run(redis, type, keys, args);
        }
        Span span = tracer.spanBuilder("redis " + name).setSpanKind(SpanKind.CLIENT)
                .setAttribute("db.system", "redis")
                .setAttribute("db.operation", "EVALSHA")
                .setAttribute("db.redis.script", name)
                .startSpan();
        return this.<T>run(redis, type, keys, args).whenComplete((value, error) -> {
            if (error != null) {
                span.setStatus(StatusCode.ERROR, Failures.unwrap(error).getClass().getSimpleName());
            }
            span.end();
        });
    }

    private static String resource(String file) {
        try (InputStream in = LuaScript.class.getResourceAsStream("/store/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing Lua script /store/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }
}
