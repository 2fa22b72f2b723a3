package io.sessionauthority.service.throttle;

import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.ThrottledException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows password guessing without handing attackers a lockout weapon or an enumeration oracle. Every
 * password check (Login, ChangePassword, any future one) runs inside {@link #guard}, under the same
 * counters.
 *
 * <ul>
 *   <li><b>Known devices keep their own budget</b> (OWASP's device cookies): a check that presents a
 *       device token this user's earlier successful login received counts only against that device.
 *       Failures from anywhere else never lock it, so a distributed guessing campaign against a
 *       username cannot keep its owner out of a device they used before.</li>
 *   <li><b>Unknown devices</b> count per client address, per username on that address, and per
 *       username overall with a higher bar. Counted the same for usernames that exist and that do
 *       not, so a lockout says nothing about whether an account exists.</li>
 *   <li>Attempts are counted <em>before</em> the password is checked, so a burst of parallel guesses
 *       gets no more tries than the threshold; a success takes the count back and clears the
 *       username's (or the device's) counters, not the address's (one good account must not launder
 *       an attacker's address).</li>
 *   <li>Lockouts grow by a step per failure past the threshold, up to a maximum; failures are
 *       forgotten after a quiet window. A locked check is refused before any password hashing, with
 *       RESOURCE_EXHAUSTED and the time to wait.</li>
 * </ul>
 */
public final class LoginThrottle {

    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);

    private final ThrottleStore store;
    private final ThrottlePolicy policy;
    private final DeviceTokens devices;
    private final Clock clock;

    public LoginThrottle(ThrottleStore store, ThrottlePolicy policy, DeviceTokens devices, Clock clock) {
        this.store = store;
        this.policy = policy;
        this.devices = devices;
        this.clock = clock;
    }

    /**
     * One password check about to happen.
     *
     * @param username      the normalized username whose password is checked
     * @param clientAddress the canonical client address ({@link ClientAddresses#parse}), or empty
     * @param device        the device token presented with it, if any
     */
    public record Attempt(String username, String clientAddress, Optional<DeviceTokens.Presented> device) {
    }

    /** An admitted attempt: the counters it was counted on, and whether it came from a known device. */
    public record Admission(Attempt attempt, boolean knownDevice, List<ThrottleStore.Counter> counters) {
    }

    /**
     * Admits {@code attempt}, runs {@code check} (the password verification and whatever it guards)
     * and settles the count by the outcome: a wrong password stays counted, a success clears the
     * attempt's own counters, anything else (bad input, Redis down, a conflict) is taken back. Fails
     * with ThrottledException (LOGIN_THROTTLED) without running {@code check} while a counter of
     * this attempt is locked.
     */
    public <T> CompletionStage<T> guard(Attempt attempt, Function<Admission, CompletionStage<T>> check) {
        return admit(attempt).thenCompose(admission -> {
            CompletionStage<T> checked;
            try {
                checked = check.apply(admission);
            } catch (RuntimeException e) {
                checked = CompletableFuture.failedFuture(e);
            }
            return checked.handle((value, error) -> settle(admission, value, error)).thenCompose(Function.identity());
        });
    }

    /**
     * The device token to hand back after a successful check: the presented one when the device is
     * known (its lifetime starts over), else a new one. Never fails: a device that could not be
     * remembered is simply unknown at its next login.
     */
    public CompletionStage<String> rememberDevice(String userId, Admission admission) {
        DeviceTokens.Presented device = admission.knownDevice()
                ? admission.attempt().device().orElseThrow()
                : devices.issue(userId);
        if (!policy.enabled()) {
            return CompletableFuture.completedFuture(device.token());
        }
        return store.rememberDevice(userId, device.deviceId(), clock.instant().plus(policy.deviceLifetime()),
                        policy.maxDevicesPerUser(), clock.instant())
                .handle((done, error) -> {
                    if (error != null) {
                        LOG.debug("Device of user {} not remembered: {}", userId, Failures.unwrap(error).toString());
                    }
                    return device.token();
                });
    }

    CompletionStage<Admission> admit(Attempt attempt) {
        if (!policy.enabled()) {
            return CompletableFuture.completedFuture(new Admission(attempt, false, List.of()));
        }
        CompletionStage<Boolean> known = attempt.device().isEmpty()
                ? CompletableFuture.completedFuture(false)
                : store.knowsDevice(attempt.username(), attempt.device().get().userId(), attempt.device().get().deviceId(),
                        clock.instant());
        return known.thenCompose(isKnown -> {
            List<ThrottleStore.Counter> counters = isKnown ? deviceCounters(attempt) : unknownDeviceCounters(attempt);
            return store.attempt(counters, clock.instant()).thenApply(wait -> {
                if (!wait.isZero()) {
                    Duration retryAfter = wait.getNano() == 0 ? wait : Duration.ofSeconds(wait.getSeconds() + 1);
                    throw new ThrottledException(retryAfter);
                }
                return new Admission(attempt, isKnown, counters);
            });
        });
    }

    private <T> CompletionStage<T> settle(Admission admission, T value, Throwable error) {
        List<ThrottleStore.Counter> counters = admission.counters();
        CompletionStage<Void> settled;
        Throwable cause = error == null ? null : Failures.unwrap(error);
        if (cause == null) {
            // The username's (or device's) counters start over; the address's count is only taken back.
            int own = admission.knownDevice() ? counters.size() : Math.min(2, counters.size());
            settled = store.reset(counters.subList(0, own)).thenCompose(reset -> store.undo(counters.subList(own, counters.size())));
        } else if (cause instanceof InvalidCredentialsException) {
            settled = CompletableFuture.completedFuture(null);
        } else {
            settled = store.undo(counters);
        }
        // The outcome stands whatever happens to the counters: a login that succeeded must not turn into an error.
        return settled.handle((ignored, settleError) -> (Void) null)
                .thenCompose(ignored -> cause == null ? CompletableFuture.completedFuture(value) : CompletableFuture.failedFuture(cause));
    }

    /** A known device's own counter, and nothing else: failures elsewhere never lock it. */
    List<ThrottleStore.Counter> deviceCounters(Attempt attempt) {
        return List.of(counter("device", attempt.device().orElseThrow().deviceId(), policy.maxFailuresPerDevice()));
    }

    /** The counters of an unknown device: the username's ones first (user, user_ip), then the address's (ip). */
    List<ThrottleStore.Counter> unknownDeviceCounters(Attempt attempt) {
        ThrottleStore.Counter user = counter("user", attempt.username(), policy.maxFailuresPerUser());
        if (attempt.clientAddress().isEmpty()) {
            return List.of(user);
        }
        String address = ClientAddresses.counterKey(attempt.clientAddress());
        return List.of(user,
                counter("user_ip", attempt.username() + "|" + address, policy.maxFailures()),
                counter("ip", address, policy.maxFailures()));
    }

    private ThrottleStore.Counter counter(String scope, String id, int maxFailures) {
        return new ThrottleStore.Counter(scope, id, maxFailures, policy.lockoutStep(), policy.maxLockout(), policy.failureWindow());
    }
}
