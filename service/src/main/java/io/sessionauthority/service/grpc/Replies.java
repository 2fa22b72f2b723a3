package io.sessionauthority.service.grpc;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Completes a unary call from an asynchronous result, on whatever thread the result arrives. */
final class Replies {

    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {
    }

    /**
     * Runs {@code call} (which validates its input first and may throw) and answers with its result
     * or its mapped error. A call whose deadline already passed does no work at all.
     */
    static <T> void reply(String method, StreamObserver<T> observer, Supplier<CompletionStage<T>> call) {
        if (Context.current().isCancelled()) {
            observer.onError(ErrorMapping.status(com.google.rpc.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED",
                    "the call was cancelled or its deadline passed before it started"));
            return;
        }
        CompletionStage<T> result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            observer.onError(ErrorMapping.toStatus(e, method));
            return;
        }
        result.whenComplete((value, error) -> {
            try {
                if (error != null) {
                    observer.onError(ErrorMapping.toStatus(error, method));
                } else {
                    observer.onNext(value);
                    observer.onCompleted();
                }
            } catch (RuntimeException callGone) {
                // The caller cancelled or its deadline passed while we worked: nobody is listening.
                LOG.debug("{}: could not answer a call that has ended: {}", method, callGone.toString());
            }
        });
    }
}
