package io.sessionauthority.service.user;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Where users live. */
public interface UserStore {

    /**
     * Stores a user if its username, and every look-alike of it (same {@code skeleton}), is free.
     * Answers false, having stored nothing, when one is taken; of two callers racing for one name
     * (or two look-alikes) exactly one gets true.
     */
    CompletionStage<Boolean> insert(User user, String skeleton);

    CompletionStage<Optional<User>> findByUsername(String username);

    CompletionStage<Optional<User>> findById(String userId);

    /**
     * Replaces a password hash if it is still {@code expectedHash} (answers false otherwise, having
     * changed nothing). Used to upgrade a hash to a higher cost after a successful login.
     */
    CompletionStage<Boolean> replaceHash(String userId, String expectedHash, String newHash);

    /**
     * In one atomic step: replaces the password hash if it is still {@code expectedHash}, revokes
     * every session of the user but {@code keepSessionId} (empty for none) and forgets every known
     * device of the user but {@code keepDeviceId} (empty for none). Answers the number of sessions
     * revoked, or empty when the hash had changed meanwhile (nothing done).
     */
    CompletionStage<Optional<Integer>> changePassword(String userId, String expectedHash, String newHash,
                                                      String keepSessionId, String keepDeviceId, Instant now, Duration forgetAfter);

    /**
     * Claims the look-alike key {@code skeleton} for {@code userId} unless another user holds it.
     * For names registered before the skeleton's data changed: their key is claimed again at login.
     */
    CompletionStage<Void> claimLookalike(String skeleton, String userId);
}
