package io.sessionauthority.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.ValidateRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How the client's calls reach the authority: each with its deadline, the first one with the
 * connection's time on top, every outcome reported to the listener and mapped to the SDK's
 * exceptions, and a misconfiguration logged at most once a minute. Also the wait for readiness,
 * which asks the same way.
 */
final class Calls {

    /** Added to the first call's deadline however long the connection took: a cold JVM's class loading. */
    static final Duration FIRST_CALL_ALLOWANCE = Duration.ofSeconds(1);

    private static final Logger LOG = Logger.getLogger(SessionAuthorityClient.class.getName());
    private static final long MISCONFIGURED_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub stub;
    private final Connection connection;
    private final Duration connectTimeout;
    private final ClientListener listener;
    private final java.util.concurrent.Executor callbackExecutor;
    private volatile boolean firstAnswerSeen;
    private final AtomicLong lastMisconfiguredLog = new AtomicLong(System.nanoTime() - MISCONFIGURED_LOG_INTERVAL_NANOS);

    Calls(SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub stub, Connection connection, Duration connectTimeout,
          ClientListener listener, java.util.concurrent.Executor callbackExecutor) {
        this.callbackExecutor = callbackExecutor;
        this.stub = stub;
        this.connection = connection;
        this.connectTimeout = connectTimeout;
        this.listener = listener;
    }

    /** See {@link SessionAuthorityClient#awaitReady(Duration)}. */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SessionAuthorityException lastFailure = null;
        while (true) {
            long leftNanos = deadline - System.nanoTime();
            if (connection.state() == ConnectivityState.READY) {
                return;
            }
            if (leftNanos <= 0) {
                break;
            }
            // Until the channel settles (ready, or a failed attempt), at most a second at a time.
            long waitNanos = Math.min(leftNanos, TimeUnit.SECONDS.toNanos(1));
            try {
                connection.settled(Duration.ofNanos(waitNanos)).get(TimeUnit.NANOSECONDS.toMillis(waitNanos) + 1_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException(Status.Code.UNAVAILABLE, "", "interrupted while waiting for Session Authority", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // settled() never fails; it completes by its own timer.
            }
            if (connection.state() == ConnectivityState.READY) {
                return;
            }
            // One real call tells why: refused connection (wait on), TLS trust or unknown credentials (give up).
            SessionAuthorityException failure = probe(Math.max(1, Math.min(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1))));
            if (failure == null) {
                return;
            }
            if (failure instanceof MisconfiguredException) {
                logIfMisconfigured(failure);
                throw failure;
            }
            lastFailure = failure;
            // The connection retries on its own (Connection resets its backoff while it fails): a short pause, not a busy loop.
            long pauseNanos = Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100));
            if (pauseNanos > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
            }
        }
        if (lastFailure != null) {
            throw lastFailure;
        }
        SessionAuthorityException failure = probe(TimeUnit.SECONDS.toNanos(1));
        if (failure != null) {
            logIfMisconfigured(failure);
            throw failure;
        }
    }

    /** A Validate of a token no one holds: null when the authority answered, else why it could not. */
    private SessionAuthorityException probe(long deadlineNanos) {
        try {
            stub.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)
                    .validate(ValidateRequest.newBuilder().setToken(TokenShape.PREFIX + "A".repeat(64)).build())
                    .get();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            RuntimeException mapped = Errors.map(e.getCause());
            if (mapped instanceof UnavailableException || mapped instanceof MisconfiguredException) {
                return (SessionAuthorityException) mapped;
            }
            return null; // any other answer came from the authority: it is reachable
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new UnavailableException(Status.Code.UNAVAILABLE, "", "interrupted while waiting for Session Authority", e);
        }
    }

    <R> CompletableFuture<R> call(String method, Duration callDeadline,
                                          Function<SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub, ListenableFuture<R>> rpc) {
        return call(method, callDeadline, rpc, response -> ClientListener.OK);
    }

    <R> CompletableFuture<R> call(String method, Duration callDeadline,
                                          Function<SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub, ListenableFuture<R>> rpc,
                                          Function<R, String> outcome) {
        if (firstAnswerSeen) {
            return start(method, callDeadline, rpc, outcome);
        }
        // First contact: let the connection come up on its own time, then give the call its deadline
        // plus what is left of the connect budget, and never less than FIRST_CALL_ALLOWANCE: a cold
        // JVM also loads and initializes the classes that encode the request and decode the answer,
        // on a busy machine for well over 100 ms. (With only the budget's remainder, a connection
        // that took all of it left the first call its bare 250 ms: 1 of 60 fresh JVMs failed.)
        long startedNanos = System.nanoTime();
        return connection.settled(connectTimeout).thenCompose(settled -> {
            Duration left = connectTimeout.minusNanos(System.nanoTime() - startedNanos);
            return start(method, callDeadline.plus(left.compareTo(FIRST_CALL_ALLOWANCE) > 0 ? left : FIRST_CALL_ALLOWANCE), rpc, outcome);
        });
    }

    private <R> CompletableFuture<R> start(String method, Duration callDeadline,
                                           Function<SessionAuthorityServiceGrpc.SessionAuthorityServiceFutureStub, ListenableFuture<R>> rpc,
                                           Function<R, String> outcome) {
        CompletableFuture<R> result = new CompletableFuture<>();
        long started = System.nanoTime();
        ListenableFuture<R> future;
        try {
            future = rpc.apply(stub.withDeadlineAfter(callDeadline.toNanos(), TimeUnit.NANOSECONDS));
        } catch (RuntimeException e) {
            RuntimeException mapped = Errors.map(e);
            listener.onCall(method, Duration.ofNanos(System.nanoTime() - started), Errors.outcome(mapped));
            result.completeExceptionally(mapped);
            return result;
        }
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(R value) {
                firstAnswerSeen = true;
                listener.onCall(method, Duration.ofNanos(System.nanoTime() - started), outcome.apply(value));
                result.complete(value);
            }

            @Override
            public void onFailure(Throwable error) {
                RuntimeException mapped = Errors.map(error);
                if (!(mapped instanceof UnavailableException) && !(mapped instanceof MisconfiguredException)) {
                    firstAnswerSeen = true; // the authority answered: the way there is warm
                }
                listener.onCall(method, Duration.ofNanos(System.nanoTime() - started), Errors.outcome(mapped));
                logIfMisconfigured(mapped);
                result.completeExceptionally(mapped);
            }
        }, callbackExecutor);
        return result;
    }

    /** A misconfiguration will not fix itself: say so in the log, at most once a minute. */
    private void logIfMisconfigured(RuntimeException failure) {
        if (!(failure instanceof MisconfiguredException)) {
            return;
        }
        long last = lastMisconfiguredLog.get();
        long now = System.nanoTime();
        if (now - last >= MISCONFIGURED_LOG_INTERVAL_NANOS && lastMisconfiguredLog.compareAndSet(last, now)) {
            LOG.log(Level.SEVERE, failure.getMessage());
        }
    }
}
