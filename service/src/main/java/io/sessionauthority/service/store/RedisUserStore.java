package io.sessionauthority.service.store;

import static io.sessionauthority.service.store.RedisErrors.translated;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.sessionauthority.service.revocation.EndReason;
import io.sessionauthority.service.store.RedisSchema.UserFields;
import io.sessionauthority.service.user.User;
import io.sessionauthority.service.user.UserStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Users in Redis (key layout in {@link RedisSchema}).
 *
 * <p>Creating a user writes the user hash first, under a fresh random id nobody knows yet, and then
 * claims the username with {@code SET NX}, then its look-alike skeleton the same way: each claim is
 * a single atomic point that decides who wins a race, and a user becomes reachable only once it is
 * complete. A loser gives back what it claimed and deletes its unreachable hash; a crash between
 * the steps leaves an unreachable hash or an unused claim, never a username pointing at nothing.
 * (The keys sit in different Cluster slots, so no script can hold them all.)
 */
public final class RedisUserStore implements UserStore {

    private static final String UNKNOWN_USER_ID = "unknown-user-probe----";

    private final RedisClusterAsyncCommands<String, String> redis;
    private final LuaScript changePasswordScript = LuaScript.load("change_password");

    private final DurableWrites durable;

    public RedisUserStore(RedisClusterAsyncCommands<String, String> redis, DurableWrites durable) {
        this.redis = redis;
        this.durable = durable;
    }

    /** Without waiting for replicas on password changes (a single Redis). */
    public RedisUserStore(RedisClusterAsyncCommands<String, String> redis) {
        this(redis, DurableWrites.none(redis));
    }

    @Override
    public CompletionStage<Boolean> insert(User user, String skeleton) {
        String userKey = RedisSchema.user(user.id());
        String usernameKey = RedisSchema.username(user.username());
        CompletionStage<Boolean> claimed = redis.hset(userKey, Map.of(
                        UserFields.USERNAME, user.username(),
                        UserFields.PASSWORD_HASH, user.passwordHash(),
                        UserFields.CREATED, RedisSessionStore.millis(user.createTime())))
                .thenCompose(ignored -> redis.set(usernameKey, user.id(), SetArgs.Builder.nx()))
                .thenCompose(name -> !"OK".equals(name)
                        ? redis.del(userKey).thenApply(deleted -> false)
                        : redis.set(RedisSchema.lookalike(skeleton), user.id(), SetArgs.Builder.nx())
                                .thenCompose(lookalike -> "OK".equals(lookalike)
                                        ? CompletableFuture.completedFuture(true)
                                        // A look-alike of this name is taken: give the name back, then the hash.
                                        : redis.del(usernameKey).thenCompose(released -> redis.del(userKey)).thenApply(deleted -> false)));
        return translated(claimed);
    }

    @Override
    public CompletionStage<Void> claimLookalike(String skeleton, String userId) {
        return translated(redis.set(RedisSchema.lookalike(skeleton), userId, SetArgs.Builder.nx()).thenApply(claimed -> (Void) null));
    }

    @Override
    public CompletionStage<Optional<User>> findByUsername(String username) {
        // An unknown name still reads a (missing) user hash: the same two round trips as a known one,
        // so Redis timing does not tell them apart either.
        CompletionStage<Optional<User>> found = redis.get(RedisSchema.username(username))
                .thenCompose(userId -> userId == null
                        ? findById(UNKNOWN_USER_ID).thenApply(none -> Optional.<User>empty())
                        : findById(userId));
        return translated(found);
    }

    @Override
    public CompletionStage<Optional<User>> findById(String userId) {
        return translated(redis.hmget(RedisSchema.user(userId), UserFields.USERNAME, UserFields.PASSWORD_HASH, UserFields.CREATED,
                UserFields.TOTP_STATE).thenApply(values -> toUser(userId, values)));
    }

    @Override
    public CompletionStage<Boolean> replaceHash(String userId, String expectedHash, String newHash) {
        return changePassword(userId, expectedHash, newHash, false, "", "", Instant.EPOCH, Duration.ZERO)
                .thenApply(Optional::isPresent);
    }

    @Override
    public CompletionStage<Optional<Integer>> changePassword(String userId, String expectedHash, String newHash,
                                                             String keepSessionId, String keepDeviceId, Instant now,
                                                             Duration forgetAfter) {
        return changePassword(userId, expectedHash, newHash, true, keepSessionId, keepDeviceId, now, forgetAfter);
    }

    private CompletionStage<Optional<Integer>> changePassword(String userId, String expectedHash, String newHash, boolean revoke,
                                                              String keepSessionId, String keepDeviceId, Instant now,
                                                              Duration forgetAfter) {
        String[] keys = RedisSessionStore.userKeys(userId);
        String[] args = {expectedHash, newHash, revoke ? "1" : "0", RedisSessionStore.millis(now),
                Long.toString(forgetAfter.toMillis()), keepSessionId, RedisSchema.sessionPrefix(userId),
                EndReason.PASSWORD_CHANGE.code(), keepDeviceId};
        // A password change ends sessions: durable like a revoke. A rehash at login ends none.
        CompletionStage<Long> result = revoke
                ? durable.run(keys[0], master -> changePasswordScript.<Long>run(master, ScriptOutputType.INTEGER, keys, args))
                : changePasswordScript.run(redis, ScriptOutputType.INTEGER, keys, args);
        return translated(result).thenApply(count -> count < 0 ? Optional.empty() : Optional.of(count.intValue()));
    }

    private static Optional<User> toUser(String userId, List<KeyValue<String, String>> values) {
        String username = values.get(0).getValueOrElse(null);
        String hash = values.get(1).getValueOrElse(null);
        String created = values.get(2).getValueOrElse(null);
        if (username == null || hash == null || created == null) {
            return Optional.empty();
        }
        return Optional.of(new User(userId, username, hash, RedisSessionStore.instant(created),
                "a".equals(values.get(3).getValueOrElse(""))));
    }
}
