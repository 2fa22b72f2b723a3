package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.OverloadedException;
import io.sessionauthority.service.error.ThrottledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How long an answer waits: only one asking to retry later, never beyond its Retry-After or the caller's deadline. */
@Tag("unit")
class RepliesTest {

    private final ScheduledExecutorService pauses = Executors.newSingleThreadScheduledExecutor();
    private final Replies replies = new Replies(Duration.ofMillis(500), pauses);
    private final Deadline.Ticker ticker = new Deadline.Ticker() {
        @Override
        public long nanoTime() {
            return 0;
        }
    };

    @AfterEach
    void stop() {
        pauses.shutdownNow();
    }

    @Test
    void onlyAnswersAskingToRetryLaterArePaused() {
        assertThat(replies.pauseFor(new InvalidArgumentException("username", "is empty"), null)).isZero();
        assertThat(replies.pauseFor(new IllegalStateException("a bug"), null)).isZero();
        assertThat(replies.pauseFor(new ThrottledException(Duration.ofSeconds(60)), null)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void theRetryAfterBoundsThePause() {
        assertThat(replies.pauseFor(new OverloadedException("BUSY", "busy", Duration.ofMillis(200)), null)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void theAnswerLeavesBeforeTheCallersDeadline() {
        Deadline soon = Deadline.after(120, TimeUnit.MILLISECONDS, ticker);
        assertThat(replies.pauseFor(new ThrottledException(Duration.ofSeconds(60)), soon)).isEqualTo(Duration.ofMillis(100));
        Deadline almostGone = Deadline.after(5, TimeUnit.MILLISECONDS, ticker);
        assertThat(replies.pauseFor(new ThrottledException(Duration.ofSeconds(60)), almostGone)).isZero();
        Deadline late = Deadline.after(10, TimeUnit.SECONDS, ticker);
        assertThat(replies.pauseFor(new ThrottledException(Duration.ofSeconds(60)), late)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aZeroPauseAnswersAtOnce() {
        Replies immediate = new Replies(Duration.ZERO, pauses);
        assertThat(immediate.pauseFor(new ThrottledException(Duration.ofSeconds(60)), null)).isZero();
    }

    @Test
    void anErrorThrownByTheCallIsAnsweredInternalNotLeftToGrpc() {
        List<Throwable> errors = new ArrayList<>();
        replies.reply("Validate", recording(errors), () -> {
            throw new AssertionError("a bug");
        });
        replies.reply("Validate", recording(errors), () -> CompletableFuture.failedFuture(new StackOverflowError()));
        assertThat(errors).hasSize(2).allSatisfy(error -> {
            Status status = Status.fromThrowable(error);
            assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
            assertThat(status.getDescription()).isEqualTo("internal error; the service log has the details");
        });
    }

    private static StreamObserver<Object> recording(List<Throwable> errors) {
        return new StreamObserver<>() {
            @Override
            public void onNext(Object value) {
                throw new AssertionError("no answer expected");
            }

            @Override
            public void onError(Throwable error) {
                errors.add(error);
            }

            @Override
            public void onCompleted() {
                throw new AssertionError("no completion expected");
            }
        };
    }
}
