package io.sessionauthority.service.store;

import static io.sessionauthority.service.store.RedisErrors.translated;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.opentelemetry.api.trace.Tracer;
import io.sessionauthority.service.error.NotFoundException;
import io.sessionauthority.service.secondfactor.SecondFactorStore;
import io.sessionauthority.service.store.RedisSchema.UserFields;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The second factor in the user's hash (fields tf, tfs, tfl, tfr of RedisSchema): a step-up claims
 * the code and raises the session in one script, since both keys share the user's slot. Step-ups
 * and confirmations are durable as revokes are: an acknowledged step-up, and the code it used up,
 * survive a failover.
 */
public final class RedisSecondFactorStore implements SecondFactorStore {

    private final LuaScript stepUpScript = LuaScript.load("step_up");
    private final LuaScript enrollScript = LuaScript.load("enroll_totp");
    private final RedisClusterAsyncCommands<String, String> redis;
    private final Tracer tracer;
    private final DurableWrites durable;
    private final RedisSessionStore sessions;

    public RedisSecondFactorStore(RedisClusterAsyncCommands<String, String> redis, Tracer tracer, DurableWrites durable,
                                  RedisSessionStore sessions) {
        this.redis = redis;
        this.tracer = tracer;
        this.durable = durable;
        this.sessions = sessions;
    }

    @Override
    public CompletionStage<Optional<Stored>> find(String userId) {
        return translated(redis.hmget(RedisSchema.user(userId), UserFields.TOTP_STATE, UserFields.TOTP_SECRET)).thenApply(values -> {
            String state = values.get(0).getValueOrElse(null);
            String secret = values.get(1).getValueOrElse(null);
            return state == null || secret == null ? Optional.empty() : Optional.of(new Stored("a".equals(state), secret));
        });
    }

    @Override
    public CompletionStage<Boolean> enroll(String userId, String sealedSecret) {
        CompletionStage<Long> result = enrollScript.run(tracer, redis, ScriptOutputType.INTEGER,
                new String[] {RedisSchema.user(userId)}, sealedSecret);
        return translated(result).thenApply(answer -> {
            if (answer < 0) {
                throw NotFoundException.user(userId);
            }
            return answer == 1;
        });
    }

    @Override
    public CompletionStage<Boolean> disable(String userId) {
        return translated(durable.run(RedisSchema.user(userId), master -> master.hdel(RedisSchema.user(userId),
                UserFields.TOTP_STATE, UserFields.TOTP_SECRET, UserFields.TOTP_LAST_STEP, UserFields.RECOVERY_CODES)))
                .thenApply(removed -> removed > 0);
    }

    @Override
    public CompletionStage<StepUp> stepUp(String userId, String sessionId, Proof proof, String checkedSecret, String resealed,
                                          Instant now, Instant absoluteExpiry, Instant idleExpiry, int maxPerUser,
                                          Duration forgetAfter, TokenReplacement replacement) {
        String mode;
        String step = "0";
        String recoveryId = "";
        String recoveryIds = "";
        if (proof instanceof Proof.Code code) {
            mode = "code";
            step = Long.toString(code.step());
        } else if (proof instanceof Proof.Recovery recovery) {
            mode = "recovery";
            recoveryId = recovery.id();
        } else {
            Proof.Confirmation confirmation = (Proof.Confirmation) proof;
            mode = "confirm";
            step = Long.toString(confirmation.step());
            recoveryIds = String.join(",", confirmation.recoveryIds());
        }
        String[] args = {sessionId, RedisSessionStore.millis(now), mode, step, recoveryId, resealed,
                RedisSessionStore.millis(absoluteExpiry), RedisSessionStore.millis(idleExpiry), Long.toString(forgetAfter.toMillis()),
                recoveryIds, sha1Hex(checkedSecret), Integer.toString(maxPerUser), RedisSchema.sessionPrefix(userId),
                replacement == null ? "" : replacement.presented().validator(),
                replacement != null && replacement.presented().original() ? "1" : "0",
                replacement == null ? "" : replacement.next().validator(), replacement == null ? "" : replacement.next().nonce(),
                replacement == null ? "" : RedisSessionStore.millis(replacement.graceEnd())};
        CompletionStage<List<Object>> result = durable.run(RedisSchema.user(userId), master -> stepUpScript.run(tracer, master,
                ScriptOutputType.MULTI, RedisSessionStore.sessionKeys(userId, sessionId), args));
        return translated(result).thenCompose(reply -> switch ((String) reply.get(0)) {
            case "STEPPED_UP" -> sessions.described(userId, sessionId, asFlat(reply.get(1))).thenApply(session ->
                    new StepUp(Outcome.STEPPED_UP, io.sessionauthority.service.session.SessionCheck.live(session),
                            ((Long) reply.get(2)).intValue(), reply.subList(3, reply.size()).stream().map(String.class::cast).toList()));
            case "REFUSED" -> CompletableFuture.completedFuture(new StepUp(Outcome.REFUSED, null, 0));
            case "NO_FACTOR" -> CompletableFuture.completedFuture(new StepUp(Outcome.NO_FACTOR, null, 0));
            case "NOT_CURRENT" -> CompletableFuture.completedFuture(new StepUp(Outcome.NOT_CURRENT, null, 0));
            case "IN_GRACE" -> sessions.described(userId, sessionId, asFlat(reply.get(1))).thenApply(session ->
                    new StepUp(Outcome.IN_GRACE, io.sessionauthority.service.session.SessionCheck.live(session), 0));
            default -> sessions.toCheck(userId, sessionId, reply).thenApply(check -> new StepUp(Outcome.NOT_LIVE, check, 0));
        });
    }

    /** As Redis' redis.sha1hex: how the script recognizes the secret the code was checked against. */
    private static String sha1Hex(String value) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> asFlat(Object value) {
        return (List<String>) value;
    }
}
