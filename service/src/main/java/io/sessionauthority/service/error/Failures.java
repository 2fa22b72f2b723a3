package io.sessionauthority.service.error;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What actually went wrong behind the wrappers that futures put around a failure. */
public final class Failures {

    private Failures() {
    }

    /** The cause inside any CompletionException / ExecutionException wrapping. */
    public static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException) && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** {@code error} as an unchecked exception to rethrow inside a future's stage, unwrapped once. */
    public static CompletionException asCompletionException(Throwable error) {
        return error instanceof CompletionException completion ? completion : new CompletionException(unwrap(error));
    }
}
