package io.sessionauthority.service.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition instead of sleeping for a guessed time: fast when things are fast, patient when the machine is busy. */
public final class Await {

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails with {@code what} when it has not after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(what, timeout, Duration.ofMillis(10), condition);
    }

    /**
     * As {@link #until(String, Duration, BooleanSupplier)}, asking every {@code pollEvery}: for a
     * condition read from a port with per-client limits (the management port allows a scrape a
     * second), where polling at full speed would be refused and look like "not yet".
     */
    public static void until(String what, Duration timeout, Duration pollEvery, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            try {
                Thread.sleep(pollEvery.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what, e);
            }
        }
    }
}
