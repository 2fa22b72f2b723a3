package io.sessionauthority.service.throttle;

import io.sessionauthority.service.error.Failures;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.ThrottledException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
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
 *   <li><b>A day's budget per username</b> for unknown devices (NIST SP 800-63B: at most 100
 *       consecutive failures), which neither a lock's end nor the owner's success from an unknown
 *       device starts over: guessing just under the short thresholds, from many addresses, stops
 *       at 100 a day. Known devices are never counted there.</li>
 *   <li><b>Shared addresses</b> (carrier-grade NAT, corporate egress; a configured list of ranges)
 *       have no per-address counter: one address stands for many people there, and failures of
 *       some must not lock out the others. The per-username counters still hold.</li>
 *   <li><b>Only wrong passwords count.</b> Each attempt is counted under an id of its own and
 *       settled by it: an attempt that failed for any other reason, or whose caller never learned
 *       how it went (Redis stalled past its timeout, and ran the counting script later), is taken
 *       back exactly, retried in the background until Redis answers ({@link TakeBacks}). A Redis
 *       stall therefore locks nobody out.</li>
 *   <li><b>Device tokens rotate</b> at every successful login: the one presented stays known for a
 *       minute only, so a stolen token stops buying its thief a budget at its owner's next login.</li>
 * </ul>
 */
public final class LoginThrottle {

    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);
    /** How long a rotated-out device token still counts as known (requests of one browser race each other). */
    static final Duration ROTATION_GRACE = Duration.ofMinutes(1);
    private static final Duration DAY = Duration.ofDays(1);

    private final ThrottleStore store;
    private final ThrottlePolicy policy;
    private final DeviceTokens devices;
    private final Clock clock;
    private final TakeBacks takeBacks;

    /**
     * @param retries where attempts that must not stand are taken back again while Redis cannot answer
     */
    public LoginThrottle(ThrottleStore store, ThrottlePolicy policy, DeviceTokens devices, Clock clock, ScheduledExecutorService retries) {
        this.store = store;
        this.policy = policy;
        this.devices = devices;
        this.clock = clock;
        this.takeBacks = new TakeBacks(store, retries, Duration.ofMinutes(1), 10_000);
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

    /** An admitted attempt: its id, the counters it was counted on, and whether it came from a known device. */
    public record Admission(Attempt attempt, String attemptId, boolean knownDevice, List<ThrottleStore.Counter> counters) {
    }

    /**
     * Admits {@code attempt}, runs {@code check} (the password verification and whatever it guards)
     * and settles the count by the outcome: a wrong password stays counted, a success clears the
     * attempt's own counters, anything else (bad input, Redis down, a conflict, a caller gone) is
     * taken back. Fails with ThrottledException (LOGIN_THROTTLED) without running {@code check}
     * while a counter of this attempt is locked.
     */
    public <T> CompletionStage<T> guard(Attempt attempt, Function<Admission, CompletionStage<T>> check) {
        return admit(attempt).thenCompose(admission -> checkAndSettle(admission, check));
    }

    /** Runs {@code check} for an admitted attempt and settles its counters by the outcome. */
    private <T> CompletionStage<T> checkAndSettle(Admission admission, Function<Admission, CompletionStage<T>> check) {
        CompletionStage<T> checked;
        try {
            checked = check.apply(admission);
        } catch (RuntimeException e) {
            checked = CompletableFuture.failedFuture(e);
        }
        return checked.handle((value, error) -> settle(admission, value, error)).thenCompose(Function.identity());
    }

    /**
     * The device token to hand back after a successful check: always a new one. A known device's
     * token is rotated: the one it presented stays known for {@link #ROTATION_GRACE} only, so a
     * stolen token stops buying its thief a guessing budget of its own at the owner's next login.
     * Never fails: a device that could not be remembered is simply unknown at its next login.
     */
    public CompletionStage<String> rememberDevice(String userId, Admission admission) {
        return rememberDevice(userId, admission, newDevice(userId));
    }

    /** A new device token for {@code userId}, to hand back with {@link #rememberDevice(String, Admission, DeviceTokens.Presented)}. */
    public DeviceTokens.Presented newDevice(String userId) {
        return devices.issue(userId);
    }

    /** As {@link #rememberDevice(String, Admission)}, with the new token issued before (its id known to the login). */
    public CompletionStage<String> rememberDevice(String userId, Admission admission, DeviceTokens.Presented device) {
        if (!policy.enabled()) {
            return CompletableFuture.completedFuture(device.token());
        }
        String replaced = admission.knownDevice() ? admission.attempt().device().orElseThrow().deviceId() : "";
        Instant now = clock.instant();
        return store.rememberDevice(userId, device.deviceId(), now.plus(policy.deviceLifetime()), policy.maxDevicesPerUser(), now,
                        replaced, now.plus(ROTATION_GRACE))
                .handle((done, error) -> {
                    if (error != null) {
                        LOG.debug("Device of user {} not remembered: {}", userId, Failures.unwrap(error).toString());
                    }
                    return device.token();
                });
    }

    CompletionStage<Admission> admit(Attempt attempt) {
        if (!policy.enabled()) {
            return CompletableFuture.completedFuture(new Admission(attempt, "", false, List.of()));
        }
        CompletionStage<Boolean> known = attempt.device().isEmpty()
                ? CompletableFuture.completedFuture(false)
                : store.knowsDevice(attempt.username(), attempt.device().get().userId(), attempt.device().get().deviceId(),
                        clock.instant());
        return known.thenCompose(isKnown ->
                admitOn(attempt, isKnown ? deviceCounters(attempt) : unknownDeviceCounters(attempt), isKnown));
    }

    /** Counts the attempt on {@code counters}, failing with ThrottledException while one of them is locked. */
    private CompletionStage<Admission> admitOn(Attempt attempt, List<ThrottleStore.Counter> counters, boolean knownDevice) {
        String attemptId = newAttemptId();
        return store.attempt(counters, clock.instant(), attemptId)
                .whenComplete((wait, error) -> {
                    if (error != null) {
                        // Counted or not, now or when Redis comes back: the caller hears UNAVAILABLE, so it must not stand.
                        takeBacks.takeBack(counters, attemptId);
                    }
                })
                .thenApply(wait -> {
                    if (!wait.isZero()) {
                        Duration retryAfter = wait.getNano() == 0 ? wait : Duration.ofSeconds(wait.getSeconds() + 1);
                        throw new ThrottledException(retryAfter);
                    }
                    return new Admission(attempt, attemptId, knownDevice, counters);
                });
    }

    private <T> CompletionStage<T> settle(Admission admission, T value, Throwable error) {
        List<ThrottleStore.Counter> counters = admission.counters();
        CompletionStage<Void> settled;
        Throwable cause = error == null ? null : Failures.unwrap(error);
        if (cause == null) {
            // The username's (or device's) counters start over; the address's and the day's count is only taken back.
            List<ThrottleStore.Counter> mine = counters.stream().filter(ThrottleStore.Counter::clearedBySuccess).toList();
            List<ThrottleStore.Counter> rest = counters.stream().filter(counter -> !counter.clearedBySuccess()).toList();
            settled = store.reset(mine).handle((reset, resetError) -> resetError == null ? rest : counters)
                    .thenCompose(undone -> takeBacks.takeBack(undone, admission.attemptId()));
        } else if (cause instanceof InvalidCredentialsException) {
            settled = store.confirm(counters, admission.attemptId());
        } else {
            settled = takeBacks.takeBack(counters, admission.attemptId());
        }
        // The outcome stands whatever happens to the counters: a login that succeeded must not turn into an error.
        return settled.handle((ignored, settleError) -> (Void) null)
                .thenCompose(ignored -> cause == null ? CompletableFuture.completedFuture(value) : CompletableFuture.failedFuture(cause));
    }

    /**
     * As {@link #guard}, for a second-factor code of user {@code userId}: counted on counters of its
     * own, per user, which no password success clears (a thief who has the password could otherwise
     * start them over with a login between guesses) and a day's budget no success clears at all.
     * A right code clears the user's counter, never the day's.
     */
    public <T> CompletionStage<T> guardSecondFactor(String userId, Function<Admission, CompletionStage<T>> check) {
        Attempt attempt = new Attempt(userId, "", Optional.empty());
        if (!policy.enabled()) {
            return guard(attempt, check);
        }
        List<ThrottleStore.Counter> counters = List.of(
                counter("otp", userId, policy.maxFailuresPerDevice(), true),
                new ThrottleStore.Counter("otp_day", userId, policy.maxFailuresPerUserPerDay(), DAY, DAY, DAY, false));
        return admitOn(attempt, counters, false).thenCompose(admission -> checkAndSettle(admission, check));
    }

    /** A known device's own counter, and nothing else: failures elsewhere never lock it. */
    List<ThrottleStore.Counter> deviceCounters(Attempt attempt) {
        return List.of(counter("device", attempt.device().orElseThrow().deviceId(), policy.maxFailuresPerDevice(), true));
    }

    /**
     * The counters of an unknown device: the username's (user, user_ip), the address's (ip; none for
     * an address in a shared range, where one address stands for many people) and the username's day.
     */
    List<ThrottleStore.Counter> unknownDeviceCounters(Attempt attempt) {
        List<ThrottleStore.Counter> counters = new ArrayList<>();
        counters.add(counter("user", attempt.username(), policy.maxFailuresPerUser(), true));
        if (!attempt.clientAddress().isEmpty()) {
            String address = ClientAddresses.counterKey(attempt.clientAddress());
            counters.add(counter("user_ip", attempt.username() + "|" + address, policy.maxFailures(), true));
            if (!policy.sharedAddresses().contains(attempt.clientAddress())) {
                counters.add(counter("ip", address, policy.maxFailures(), false));
            }
        }
        // A day's budget: no lock's end and no success from an unknown device starts it over.
        counters.add(new ThrottleStore.Counter("user_day", attempt.username(), policy.maxFailuresPerUserPerDay(), DAY, DAY, DAY, false));
        return List.copyOf(counters);
    }

    private ThrottleStore.Counter counter(String scope, String id, int maxFailures, boolean clearedBySuccess) {
        return new ThrottleStore.Counter(scope, id, maxFailures, policy.lockoutStep(), policy.maxLockout(), policy.failureWindow(),
                clearedBySuccess);
    }

    /** 128 random bits: unique among the attempts on a counter at once, which is all it must be. */
    private static String newAttemptId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
    }

    /** Take-backs being retried while Redis cannot answer. */
    public int takeBacksPending() {
        return takeBacks.pending();
    }
}
