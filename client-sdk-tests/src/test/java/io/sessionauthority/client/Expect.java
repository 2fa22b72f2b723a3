package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.assertj.core.api.ThrowableAssert;

/** Test helper: the exception a call throws, failing clearly (not with a later NullPointerException) when it throws none. */
final class Expect {

    private Expect() {
    }

    static <T extends Throwable> T thrown(Class<T> type, ThrowableAssert.ThrowingCallable call) {
        T thrown = catchThrowableOfType(type, call);
        if (thrown == null) {
            throw new AssertionError("expected " + type.getSimpleName() + ", but the call returned normally");
        }
        return thrown;
    }
}
