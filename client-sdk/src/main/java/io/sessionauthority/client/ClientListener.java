package io.sessionauthority.client;

import java.time.Duration;

/**
 * Hears what the client does, for metrics: every call to the authority with its latency and
 * outcome, and every answer served from the near-cache. Called on gRPC threads: keep it quick and
 * never block. The Spring Boot starter turns it into Micrometer meters.
 */
public interface ClientListener {

    /** Outcomes of a call, as {@link #onCall} reports them. */
    String OK = "ok";
    /** The call succeeded, but the token named no live session (Validate, Touch). */
    String NOT_VALID = "not_valid";
    String UNAVAILABLE = "unavailable";
    String MISCONFIGURED = "misconfigured";
    String THROTTLED = "throttled";
    String INVALID_ARGUMENT = "invalid_argument";
    String ERROR = "error";

    /** A call to the authority ended, after {@code latency}, with {@code outcome} (one of the constants above). */
    default void onCall(String method, Duration latency, String outcome) {
    }

    /** An answer came from the near-cache, without a call. */
    default void onCacheHit(String method) {
    }

    /** Hears nothing. */
    ClientListener NONE = new ClientListener() {
    };
}
