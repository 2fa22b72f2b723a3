package io.sessionauthority.service.user;

import io.sessionauthority.service.error.AlreadyExistsException;
import io.sessionauthority.service.error.ConflictException;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.error.InvalidCredentialsException;
import io.sessionauthority.service.error.NotFoundException;
import io.sessionauthority.service.throttle.ClientAddresses;
import io.sessionauthority.service.throttle.DeviceTokens;
import io.sessionauthority.service.throttle.LoginThrottle;
import io.sessionauthority.service.validation.Ids;
import java.security.SecureRandom;
import io.sessionauthority.service.revocation.EndReason;
import io.sessionauthority.service.revocation.Revocation;
import io.sessionauthority.service.revocation.RevocationLog;
import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Users and their credentials: create, authenticate, change password. */
public final class UserService {

    private static final Logger LOG = LoggerFactory.getLogger(UserService.class);

    private final UserStore store;
    private final PasswordPolicy passwordPolicy;
    private final PasswordHasher hasher;
    private final HashingPool hashingPool;
    private final LoginThrottle throttle;
    private final RevocationLog revocations;
    private final Duration forgetAfter;
    private final Clock clock;
    private final SecureRandom random;

    /**
     * @param forgetAfter how long sessions ended by a password change still read as revoked
     */
    public UserService(UserStore store, PasswordPolicy passwordPolicy, PasswordHasher hasher, HashingPool hashingPool,
                       LoginThrottle throttle, RevocationLog revocations, Duration forgetAfter, Clock clock, SecureRandom random) {
        this.store = store;
        this.revocations = revocations;
        this.passwordPolicy = passwordPolicy;
        this.hasher = hasher;
        this.hashingPool = hashingPool;
        this.throttle = throttle;
        this.forgetAfter = forgetAfter;
        this.clock = clock;
        this.random = random;
    }

    /** Creates a user; fails with AlreadyExistsException when the normalized username, or a look-alike of it, is taken. */
    public CompletionStage<User> create(String rawUsername, String rawPassword) {
        return create(rawUsername, rawPassword, () -> true);
    }

    /** As {@link #create(String, String)}, hashing nothing once {@code callerWaiting} says the caller has gone. */
    public CompletionStage<User> create(String rawUsername, String rawPassword, BooleanSupplier callerWaiting) {
        String username = Usernames.normalizeNew("username", rawUsername);
        String password = passwordPolicy.checkNew("password", rawPassword);
        return hashingPool.submit(HashingPool.Lane.OTHER, callerWaiting, () -> hasher.hash(password))
                .thenCompose(hash -> {
                    User user = new User(UserIds.newId(random), username, hash, clock.instant());
                    return store.insert(user, Usernames.skeleton(username)).thenApply(inserted -> {
                        if (!inserted) {
                            throw AlreadyExistsException.username(username);
                        }
                        return user;
                    });
                });
    }

    /** What importing one user did. */
    public enum Imported {
        /** The user was created with the imported hash. */
        CREATED,
        /** The username (or a look-alike of it) exists: nothing was written. */
        EXISTED
    }

    /**
     * Creates a user with a password hash made by another system ({@link ImportedHashes} lists the
     * forms), under CreateUser's username rules; an existing username is never overwritten, so an
     * import can be run again from the start. Fails at once with InvalidArgumentException (field
     * {@code username} or {@code password_hash}) for a malformed request. No hashing is done: the
     * hash is checked at the user's first login, and then replaced by the service's own.
     */
    public CompletionStage<Imported> importUser(String rawUsername, String presentedHash) {
        String username = Usernames.normalizeNew("username", rawUsername);
        String hash = ImportedHashes.checkImport("password_hash", presentedHash, hasher.cost());
        User user = new User(UserIds.newId(random), username, hash, clock.instant());
        return store.insert(user, Usernames.skeleton(username)).thenApply(inserted -> inserted ? Imported.CREATED : Imported.EXISTED);
    }

    /**
     * Checks a username and password. Fails with InvalidCredentialsException, the same on the wire
     * for an unknown user and a wrong password, after the same bcrypt work in both cases. Throttling
     * is the caller's: run it inside {@link LoginThrottle#guard}.
     */
    public CompletionStage<User> authenticate(String rawUsername, String rawPassword) {
        return authenticate(rawUsername, rawPassword, HashingPool.Lane.OTHER, () -> true);
    }

    /**
     * As {@link #authenticate(String, String)}, the hash waiting in {@code lane} and never run once
     * {@code callerWaiting} says the caller has gone (CallerGoneException).
     */
    public CompletionStage<User> authenticate(String rawUsername, String rawPassword, HashingPool.Lane lane, BooleanSupplier callerWaiting) {
        String username = Usernames.normalize("username", rawUsername);
        String password = passwordPolicy.checkPresented("password", rawPassword);
        return store.findByUsername(username).thenCompose(found -> hashingPool.submit(lane, callerWaiting, () -> {
            if (found.isEmpty()) {
                hasher.verifyNobody(password);
                throw InvalidCredentialsException.unknownUser();
            }
            User user = found.get();
            if (!hasher.verify(password, user.passwordHash())) {
                throw InvalidCredentialsException.wrongPassword(user.id());
            }
            if (hasher.needsRehash(user.passwordHash())) {
                upgradeHash(user, password);
            }
            return user;
        })).thenApply(user -> {
            claimLookalike(user);
            return user;
        });
    }

    /**
     * Changes a password after checking the current one, under the same failed-login counters as
     * Login, and revokes every session of the user but {@code keepSessionId} (empty for none) in the
     * same atomic step. Answers how many were revoked.
     */
    public CompletionStage<Integer> changePassword(String userId, String rawCurrent, String rawNew, String keepSessionId,
                                                   String clientAddress, String deviceToken) {
        return changePassword(userId, rawCurrent, rawNew, keepSessionId, clientAddress, deviceToken, () -> true);
    }

    /** As the overload without it, hashing nothing (and changing nothing) once {@code callerWaiting} says the caller has gone. */
    public CompletionStage<Integer> changePassword(String userId, String rawCurrent, String rawNew, String keepSessionId,
                                                   String clientAddress, String deviceToken, BooleanSupplier callerWaiting) {
        UserIds.require("user_id", userId);
        String current = passwordPolicy.checkPresented("current_password", rawCurrent);
        String replacement = passwordPolicy.checkNew("new_password", rawNew);
        if (!keepSessionId.isEmpty() && !Ids.isWellFormed(keepSessionId)) {
            throw new InvalidArgumentException("keep_session_id", "is not a session id (22 URL-safe base64 characters)");
        }
        String address = clientAddress.isEmpty() ? "" : ClientAddresses.parse("client.ip_address", clientAddress);
        var device = DeviceTokens.parse("device_token", deviceToken);
        return store.findById(userId)
                .thenApply(found -> found.orElseThrow(() -> NotFoundException.user(userId)))
                .thenCompose(user -> throttle.guard(new LoginThrottle.Attempt(user.username(), address, device),
                        admission -> hashingPool.submit(admission.knownDevice() ? HashingPool.Lane.KNOWN_DEVICE : HashingPool.Lane.OTHER,
                                callerWaiting, () -> {
                            if (!hasher.verify(current, user.passwordHash())) {
                                throw InvalidCredentialsException.wrongPassword(userId);
                            }
                            return new Hashes(user.passwordHash(), hasher.hash(replacement));
                        }).thenCompose(hashes -> {
                            Instant now = clock.instant();
                            // The device the change is made from stays known; every other one is a stranger again.
                            String keepDevice = admission.knownDevice() ? admission.attempt().device().orElseThrow().deviceId() : "";
                            return store.changePassword(userId, hashes.current(), hashes.replacement(), keepSessionId, keepDevice,
                                            now, forgetAfter)
                                    .thenApply(revoked -> revoked.orElseThrow(() -> new ConflictException("PASSWORD_CHANGED_CONCURRENTLY",
                                            "the password was changed by another call meanwhile; check the current password and retry")))
                                    // Announced before the caller hears of it, like every revoke.
                                    .thenCompose(revoked -> revocations.append(Revocation.ofAllSessions(userId, keepSessionId,
                                            EndReason.PASSWORD_CHANGE, now)).thenApply(cursor -> revoked));
                        })));
    }

    private record Hashes(String current, String replacement) {
    }

    /**
     * Fails at once with OverloadedException when a hash in {@code lane} would be refused: a login
     * flood is then shed before any Redis work is done for it.
     */
    public void requireHashingRoom(HashingPool.Lane lane) {
        hashingPool.requireRoom(lane);
    }

    /**
     * Names registered before the look-alike rules came from Unicode's data were keyed by an older,
     * narrower skeleton: their owner's login claims the current one too, so a look-alike registered
     * later is refused. Best effort, off the login's path.
     */
    private void claimLookalike(User user) {
        store.claimLookalike(Usernames.skeleton(user.username()), user.id()).whenComplete((claimed, error) -> {
            if (error != null) {
                LOG.debug("Look-alike key of user {} not claimed: {}", user.id(), error.toString());
            }
        });
    }

    private void upgradeHash(User user, String password) {
        // Best effort, off the login's path: a failure only means the upgrade happens at a later login.
        CompletableFuture<String> rehash = hashingPool.submit(() -> hasher.hash(password));
        rehash.thenCompose(hash -> store.replaceHash(user.id(), user.passwordHash(), hash))
                .whenComplete((replaced, error) -> {
                    if (error != null) {
                        LOG.debug("Password hash upgrade for user {} deferred: {}", user.id(), error.toString());
                    } else if (Boolean.TRUE.equals(replaced)) {
                        LOG.info("Upgraded the password hash of user {} to the configured bcrypt cost", user.id());
                    }
                });
    }
}
