package io.sessionauthority.service.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.hook.DefaultShutdownHook;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The service's logging, configured in code (found by logback as a service, before any XML): parsing
 * a logback.xml was a large share of a sidecar's start-up (docs/PERFORMANCE.md). {@code
 * LOG_FORMAT=json} writes one JSON object per line instead of readable lines. An operator's own
 * {@code -Dlogback.configurationFile} replaces all of this (a logback.xml merely put on the
 * classpath does not: this configurator comes first).
 *
 * <ul>
 *   <li>java.util.logging (grpc-java's) follows logback's levels, so lines nobody wants are never built;</li>
 *   <li>transport libraries ({@code io.grpc}, {@code io.netty}, {@code io.lettuce}) get at most 10 lines
 *       a minute per logger and level, then a count ({@link RepeatedLinesFilter});</li>
 *   <li>logging happens on Lettuce and gRPC threads, so it never waits for a slow stdout: under a flood
 *       the queue drops DEBUG/INFO lines first, then any line once full; audit lines are never dropped
 *       (their queue blocks instead);</li>
 *   <li>the audit trail ({@code session-authority.audit}, one logfmt line per security event) has its
 *       own appender, to route it to its own sink;</li>
 *   <li>queued lines are flushed when the JVM exits, so the last lines of a shutdown are not lost.</li>
 * </ul>
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    /** ISO-8601 time with its offset: lines from replicas in several zones sort, and say when. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";
    private static final int QUEUE_SIZE = 8192;

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        boolean json = "json".equalsIgnoreCase(System.getenv("LOG_FORMAT"));
        shutdownHook(context);
        LevelChangePropagator julLevels = new LevelChangePropagator();
        julLevels.setContext(context);
        julLevels.setResetJUL(true);
        julLevels.start();
        context.addListener(julLevels);

        RepeatedLinesFilter transportLines = new RepeatedLinesFilter();
        transportLines.setContext(context);
        transportLines.setLinesPerMinute(10);
        transportLines.setLoggerPrefixes("io.grpc,io.netty,io.lettuce");
        transportLines.start();
        context.addTurboFilter(transportLines);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(async(context, "ASYNC", console(context, "STDOUT", json), true));
        context.getLogger("io.sessionauthority").setLevel(Level.INFO);
        Logger audit = context.getLogger("session-authority.audit");
        audit.setLevel(Level.INFO);
        audit.setAdditive(false);
        // A console of its own: an async appender stops its target when it stops, and a shared one
        // would be stopped before the audit queue's last lines were written.
        audit.addAppender(async(context, "AUDIT_ASYNC", console(context, "AUDIT_STDOUT", json), false));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, boolean json) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(name);
        console.setEncoder(json ? jsonEncoder(context) : patternEncoder(context));
        console.start();
        return console;
    }

    private static void shutdownHook(LoggerContext context) {
        DefaultShutdownHook hook = new DefaultShutdownHook();
        hook.setContext(context);
        Thread thread = new Thread(hook, "logback-shutdown");
        context.putObject(CoreConstants.SHUTDOWN_HOOK_THREAD, thread);
        Runtime.getRuntime().addShutdownHook(thread);
    }

    private static Encoder<ILoggingEvent> patternEncoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }

    static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new IsoTimeJsonEncoder();
        encoder.setContext(context);
        encoder.setWithTimestamp(false);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithArguments(false);
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }

    /**
     * logback's JSON lines, with the time first and as ISO-8601 in UTC ({@code "timestamp":
     * "2026-12-06T19:30:00.123Z"}) instead of epoch milliseconds: what log pipelines parse without
     * being told, and what a person reads.
     */
    static final class IsoTimeJsonEncoder extends JsonEncoder {
        @Override
        public byte[] encode(ILoggingEvent event) {
            byte[] fields = super.encode(event); // "{" + fields + "}" + newline
            byte[] time = ("{\"timestamp\":\"" + java.time.Instant.ofEpochMilli(event.getTimeStamp()) + "\",")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] line = java.util.Arrays.copyOf(time, time.length + fields.length - 1);
            System.arraycopy(fields, 1, line, time.length, fields.length - 1);
            return line;
        }
    }

    /** {@code lossy}: drops DEBUG/INFO lines when 80 % full and any line when full, rather than wait. */
    private static AsyncAppender async(LoggerContext context, String name, ConsoleAppender<ILoggingEvent> target, boolean lossy) {
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName(name);
        async.setQueueSize(QUEUE_SIZE);
        if (lossy) {
            async.setNeverBlock(true);
        } else {
            async.setDiscardingThreshold(0);
        }
        async.addAppender(target);
        async.start();
        return async;
    }
}
