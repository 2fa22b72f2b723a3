package io.sessionauthority.service.session;

import java.time.Duration;
import java.time.Instant;

/**
 * What a caller needs of a session beyond being live: a least assurance level, and a longest time
 * since its user authenticated (OpenID Connect's max_age). A login awaiting its second factor
 * meets no requirement, not even {@link #NONE}.
 *
 * @param minLevel   1 or 2 ({@link Authentication#AAL1}, {@link Authentication#AAL2})
 * @param maxAuthAge null for any
 */
public record Requirement(int minLevel, Duration maxAuthAge) {

    public static final Requirement NONE = new Requirement(Authentication.AAL1, null);

    public Requirement {
        if (minLevel < Authentication.AAL1 || minLevel > Authentication.AAL2) {
            throw new IllegalArgumentException("a required assurance level is 1 or 2, not " + minLevel);
        }
        if (maxAuthAge != null && (maxAuthAge.isNegative() || maxAuthAge.isZero())) {
            maxAuthAge = null;
        }
    }

    public boolean metBy(Session session, Instant now) {
        Authentication auth = session.authentication();
        if (auth.pending() || auth.level() < minLevel) {
            return false;
        }
        return maxAuthAge == null || !now.isAfter(auth.timeOr(session.createTime()).plus(maxAuthAge));
    }
}
