package io.sessionauthority.service.throttle;

import io.sessionauthority.service.config.ThrottleProperties;
import io.sessionauthority.service.error.OverloadedException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Slows password guessing without handing attackers a lockout weapon or an enumeration oracle.
 *
 * <ul>
 *   <li>Counted the same for usernames that exist and that do not: a lockout says nothing about
 *       whether an account exists.</li>
 *   <li>Counted per client address, per username on that address, and per username overall with a
 *       higher bar: guessing from one address stops at {@code maxFailures}, while the real user on
 *       another address is locked out only by a campaign big enough to pass the overall bar.</li>
 *   <li>Lockouts grow by a step per failure past the threshold, up to a maximum, and failures are
 *       forgotten after a quiet window; a success clears the username's counters (not the
 *       address's, or one good account would launder an attacker's address).</li>
 *   <li>A locked login is refused before any password hashing, with RESOURCE_EXHAUSTED and the
 *       time to wait.</li>
 * </ul>
 */
public final class LoginThrottle {

    private final ThrottleStore store;
    private final ThrottleProperties properties;
    private final Clock clock;

    public LoginThrottle(ThrottleStore store, ThrottleProperties properties, Clock clock) {
        this.store = store;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Admits a login attempt, counting it as a failure until {@link #succeeded} or {@link #notCounted}
     * takes that back; fails with OverloadedException (LOGIN_THROTTLED) while any counter of this
     * attempt is locked.
     */
    public CompletionStage<Void> admit(String username, String clientIp) {
        if (!properties.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.attempt(counters(username, clientIp, true), clock.instant()).thenApply(wait -> {
            if (!wait.isZero()) {
                Duration retryAfter = wait.getNano() == 0 ? wait : Duration.ofSeconds(wait.getSeconds() + 1);
                throw new OverloadedException("LOGIN_THROTTLED",
                        "too many failed logins; retry in " + retryAfter.getSeconds() + " s", retryAfter);
            }
            return null;
        });
    }

    /** The admitted attempt logged in: the username's counters start over; the address's count is taken back. */
    public CompletionStage<Void> succeeded(String username, String clientIp) {
        if (!properties.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        List<ThrottleStore.Counter> counters = counters(username, clientIp, true);
        return store.reset(counters.subList(0, Math.min(2, counters.size())))
                .thenCompose(reset -> store.undo(counters.subList(Math.min(2, counters.size()), counters.size())));
    }

    /** The admitted attempt failed for another reason than the password (bad input, Redis down): take it back. */
    public CompletionStage<Void> notCounted(String username, String clientIp) {
        if (!properties.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.undo(counters(username, clientIp, true));
    }

    /** The counters of an attempt: the username's ones first (user, user_ip), then the address's (ip). */
    List<ThrottleStore.Counter> counters(String username, String clientIp, boolean includeAddress) {
        List<ThrottleStore.Counter> counters = new ArrayList<>(3);
        counters.add(counter("user", username, properties.maxFailuresPerUser()));
        if (!clientIp.isEmpty()) {
            String address = ClientAddresses.canonical(clientIp);
            counters.add(counter("user_ip", username + "|" + address, properties.maxFailures()));
            if (includeAddress) {
                counters.add(counter("ip", address, properties.maxFailures()));
            }
        }
        return counters;
    }

    private ThrottleStore.Counter counter(String scope, String id, int maxFailures) {
        return new ThrottleStore.Counter(scope, id, maxFailures, properties.lockoutStep(), properties.maxLockout(),
                properties.failureWindow());
    }
}
