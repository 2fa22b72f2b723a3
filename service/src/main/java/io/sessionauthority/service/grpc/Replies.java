package io.sessionauthority.service.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.error.RetryLaterException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a unary call from an asynchronous result, on whatever thread the result arrives.
 *
 * <p>An answer that asks the caller to come back later (a full hashing pool, a locked login) is
 * given after a short pause, never past the caller's deadline. Such an answer costs almost nothing
 * to give, so a client that ignores Retry-After and asks again at once turns its shed calls into a
 * flood that takes the CPU from the calls being served: eighty bad-password logins in flight became
 * 8,800 calls a second against the two cores that also hash the owner's login (issue 23). Paused,
 * each shed call holds its place (one HTTP/2 stream, bounded per connection) instead, and a client
 * that retries at once can ask only as often as its calls come back. A well-behaved client loses
 * nothing: Retry-After asks it to wait longer than the pause.
 */
public final class Replies {

    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);
    /** Left of the caller's deadline when a paused answer is given, for it to travel. */
    private static final Duration DEADLINE_MARGIN = Duration.ofMillis(20);

    private final Duration retryLaterPause;
    private final ScheduledExecutorService pauses;

    /**
     * @param retryLaterPause how long a retry-later answer waits (at most its own Retry-After); zero answers at once
     * @param pauses          where paused answers are given
     */
    public Replies(Duration retryLaterPause, ScheduledExecutorService pauses) {
        this.retryLaterPause = retryLaterPause;
        this.pauses = pauses;
    }

    /**
     * Runs {@code call} (which validates its input first and may throw) and answers with its result
     * or its mapped error. A call whose deadline already passed does no work at all.
     */
    <T> void reply(String method, StreamObserver<T> observer, Supplier<CompletionStage<T>> call) {
        if (Context.current().isCancelled()) {
            observer.onError(ErrorMapping.status(com.google.rpc.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED",
                    "the call was cancelled or its deadline passed before it started"));
            return;
        }
        Deadline deadline = Context.current().getDeadline();
        CompletionStage<T> result;
        try {
            result = call.get();
        } catch (RuntimeException | Error e) {
            // An Error left to grpc-java reaches the caller as UNKNOWN, with no status of ours: like any
            // unexpected failure it is logged here and answered INTERNAL. The JVM's own policy on running
            // out of memory (the image exits) still applies, since nothing here keeps the process alive.
            fail(method, observer, e, deadline);
            return;
        }
        result.whenComplete((value, error) -> {
            if (error != null) {
                fail(method, observer, error, deadline);
                return;
            }
            answer(method, () -> {
                observer.onNext(value);
                observer.onCompleted();
            });
        });
    }

    private void fail(String method, StreamObserver<?> observer, Throwable error, Deadline deadline) {
        Runnable answer = () -> answer(method, () -> observer.onError(ErrorMapping.toStatus(error, method)));
        Duration pause = pauseFor(Failures.unwrap(error), deadline);
        if (pause.isZero()) {
            answer.run();
            return;
        }
        try {
            pauses.schedule(answer, pause.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            answer.run();
        }
    }

    /** The pause before answering {@code cause}: zero unless it asks the caller to retry later. */
    Duration pauseFor(Throwable cause, Deadline deadline) {
        if (!(cause instanceof RetryLaterException retryLater) || retryLaterPause.isZero()) {
            return Duration.ZERO;
        }
        Duration pause = retryLaterPause.compareTo(retryLater.retryAfter()) < 0 ? retryLaterPause : retryLater.retryAfter();
        if (deadline != null) {
            Duration left = Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)).minus(DEADLINE_MARGIN);
            pause = left.compareTo(pause) < 0 ? left : pause;
        }
        return pause.isNegative() ? Duration.ZERO : pause;
    }

    private static void answer(String method, Runnable answer) {
        try {
            answer.run();
        } catch (RuntimeException callGone) {
            // The caller cancelled or its deadline passed while we worked: nobody is listening.
            LOG.debug("{}: could not answer a call that has ended: {}", method, callGone.toString());
        }
    }
}
