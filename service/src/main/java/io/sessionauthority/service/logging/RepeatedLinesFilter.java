package io.sessionauthority.service.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * Rate-limits what libraries log about the transport: a flood of broken connections or oversized
 * requests is one line per cause, not one per connection, and never a log storm that costs more
 * CPU than the calls themselves. Per logger and level, at most {@code linesPerMinute} lines a
 * minute get through; when the next minute lets one through again, a line first says how many
 * were suppressed. Only loggers under the configured prefixes are limited (by default the
 * transport libraries; the service's own lines and the audit trail are never dropped here).
 * A line that gets through keeps its exception's class and message but not its stack trace (a
 * reset connection's trace is forty lines of Netty internals that say nothing more), unless the
 * logger is set to DEBUG or finer.
 *
 * <p>Configured in {@link LogSetup} (the one place that names the limited loggers); in an operator's logback.xml:
 * {@code <turboFilter class="…RepeatedLinesFilter"><linesPerMinute>10</linesPerMinute>
 * <loggerPrefixes>io.grpc,io.netty,io.lettuce</loggerPrefixes></turboFilter>}; without prefixes it limits nothing.
 */
public final class RepeatedLinesFilter extends TurboFilter {

    /** Marks the summary lines this filter writes itself, so it lets them through. */
    static final Marker SUMMARY = MarkerFactory.getMarker("SUPPRESSED_LINES");
    /** Marks a line this filter wrote again without its stack trace, so it lets it through. */
    static final Marker TRIMMED = MarkerFactory.getMarker("TRACE_TRIMMED");
    private List<String> loggerPrefixes = List.of();
    private volatile LineBudget budget = new LineBudget(java.time.Duration.ofMinutes(1), 10);

    public void setLinesPerMinute(int linesPerMinute) {
        this.budget = new LineBudget(java.time.Duration.ofMinutes(1), linesPerMinute);
    }

    public void setLoggerPrefixes(String prefixes) {
        List<String> parsed = new ArrayList<>();
        for (String prefix : prefixes.split(",")) {
            if (!prefix.isBlank()) {
                parsed.add(prefix.trim());
            }
        }
        this.loggerPrefixes = List.copyOf(parsed);
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (marker == SUMMARY || marker == TRIMMED || level == null || !level.isGreaterOrEqual(logger.getEffectiveLevel()) || !limited(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        long suppressed = budget.admit(logger.getName() + '|' + level);
        if (suppressed == LineBudget.HOLD_BACK) {
            return FilterReply.DENY;
        }
        if (suppressed > 0) {
            logger.log(SUMMARY, Logger.FQCN, Level.toLocationAwareLoggerInteger(level),
                    "{} similar lines of this logger were suppressed in the last minute(s)", new Object[] {suppressed}, null);
        }
        if (t != null && !logger.isDebugEnabled()) {
            Object[] arguments = params == null ? new Object[1] : java.util.Arrays.copyOf(params, params.length + 1);
            arguments[arguments.length - 1] = t.toString();
            logger.log(TRIMMED, Logger.FQCN, Level.toLocationAwareLoggerInteger(level), (format == null ? "" : format) + " ({})",
                    arguments, null);
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    private boolean limited(String loggerName) {
        for (String prefix : loggerPrefixes) {
            if (loggerName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
