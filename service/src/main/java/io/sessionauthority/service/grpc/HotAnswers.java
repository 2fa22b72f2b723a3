package io.sessionauthority.service.grpc;

import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.v1.ValidateResponse;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Validate's answer for a live session, built once per {@link Session} instance instead of on every
 * call. The hot-session cache hands out the same instance for every hit until the session changes
 * or leaves it, so a hot session's answer (and the size protobuf memoizes inside it) is reused; an
 * answer is only ever reused for the very instance it was built from, so this decides nothing about
 * liveness: whatever handed out the instance did.
 *
 * <p>Direct-mapped on the instance's identity, as a CPU cache is: a lookup is one array read and a
 * reference comparison, a collision only costs a rebuild, and the memory is bounded by the slots
 * (each holding one answer, a few hundred bytes).
 */
final class HotAnswers {

    private static final int SLOTS = 4096;

    private record Built(Session session, ValidateResponse response) {
    }

    private final AtomicReferenceArray<Built> slots = new AtomicReferenceArray<>(SLOTS);

    /** The answer to {@code check}; {@code reusable} false (an answer read from Redis for a caller that caches it) skips the memo. */
    ValidateResponse validateResponse(SessionCheck check, boolean reusable) {
        if (!reusable || !check.isLive() || check.token() != SessionCheck.TokenStatus.CURRENT) {
            return ProtoMapping.validateResponse(check);
        }
        Session session = check.session();
        int slot = System.identityHashCode(session) & (SLOTS - 1);
        Built kept = slots.get(slot);
        if (kept != null && kept.session() == session) {
            return kept.response();
        }
        ValidateResponse built = ProtoMapping.validateResponse(check);
        slots.lazySet(slot, new Built(session, built));
        return built;
    }
}
