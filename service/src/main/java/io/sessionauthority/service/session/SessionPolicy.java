package io.sessionauthority.service.session;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.throttle.ClientAddresses;
import io.sessionauthority.service.validation.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules of a session's life: when it ends, and what it may carry. Pure: no clock, no I/O, so
 * every rule is tested with plain instants.
 */
public final class SessionPolicy {

    static final int MAX_ATTRIBUTE_NAME = 64;
    static final int MAX_USER_AGENT = 512;
    static final int MAX_DEVICE_NAME = 128;
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_ATTRIBUTE_NAME + "}");

    private final Duration idleTimeout;
    private final Duration absoluteTimeout;
    private final Duration forgetAfter;
    private final int maxPerUser;
    private final int maxAttributes;
    private final int maxAttributeValue;
    private final SessionLimit.Policy limitPolicy;
    private Duration rotationGrace = Duration.ofSeconds(30);
    private Duration rotateAfter = Duration.ZERO;

    /**
     * @param idleTimeout       how long a session lives without a Touch (OWASP: 15 to 30 minutes)
     * @param absoluteTimeout   how long a session lives at most, touched or not
     * @param maxPerUser        live sessions per user; a login beyond it ends the least recently used one
     * @param forgetAfter       how long an ended session is remembered, so Validate can answer EXPIRED or
     *                          REVOKED instead of UNKNOWN
     * @param maxAttributes     attributes per session
     * @param maxAttributeValue characters per attribute value
     */
    public SessionPolicy(Duration idleTimeout, Duration absoluteTimeout, int maxPerUser, Duration forgetAfter,
                         int maxAttributes, int maxAttributeValue) {
        this(idleTimeout, absoluteTimeout, maxPerUser, forgetAfter, maxAttributes, maxAttributeValue, SessionLimit.Policy.EVICT_LEAST_RECENT);
    }

    /** As the constructor without it, with {@code limitPolicy}: what a login past {@code maxPerUser} does unless its caller says. */
    public SessionPolicy(Duration idleTimeout, Duration absoluteTimeout, int maxPerUser, Duration forgetAfter,
                         int maxAttributes, int maxAttributeValue, SessionLimit.Policy limitPolicy) {
        requirePositive("idle-timeout", idleTimeout);
        requirePositive("absolute-timeout", absoluteTimeout);
        requirePositive("forget-after", forgetAfter);
        if (idleTimeout.compareTo(absoluteTimeout) > 0) {
            throw new IllegalArgumentException("sessions: idle-timeout (" + idleTimeout
                    + ") must not exceed absolute-timeout (" + absoluteTimeout + ")");
        }
        if (maxPerUser < 1 || maxAttributes < 0 || maxAttributeValue < 1) {
            throw new IllegalArgumentException(
                    "sessions: max-per-user and max-attribute-value must be positive, max-attributes not negative");
        }
        this.idleTimeout = idleTimeout;
        this.absoluteTimeout = absoluteTimeout;
        this.forgetAfter = forgetAfter;
        this.maxPerUser = maxPerUser;
        this.maxAttributes = maxAttributes;
        this.maxAttributeValue = maxAttributeValue;
        this.limitPolicy = java.util.Objects.requireNonNull(limitPolicy, "limitPolicy");
    }

    /**
     * This policy with token rotation set.
     *
     * @param grace       how long a token replaced by a rotation is still accepted: requests already on
     *                    their way with it (a browser's parallel requests) still pass
     * @param rotateAfter rotate a token automatically once it is this old (Touch does; Validate says
     *                    it is due); zero: never
     */
    public SessionPolicy withRotation(Duration grace, Duration rotateAfter) {
        requirePositive("rotation-grace", grace);
        if (rotateAfter == null || rotateAfter.isNegative()) {
            throw new IllegalArgumentException("sessions: rotate-after must be zero (off) or a positive duration");
        }
        if (!rotateAfter.isZero() && rotateAfter.compareTo(grace) <= 0) {
            throw new IllegalArgumentException("sessions: rotate-after (" + rotateAfter + ") must be longer than rotation-grace ("
                    + grace + "), or a token would be due again before the one it replaced stops working");
        }
        SessionPolicy copy = new SessionPolicy(idleTimeout, absoluteTimeout, maxPerUser, forgetAfter, maxAttributes,
                maxAttributeValue, limitPolicy);
        copy.rotationGrace = grace;
        copy.rotateAfter = rotateAfter;
        return copy;
    }

    /** How long the first half of a login (its user has a second factor) waits for StepUp. */
    public static final Duration SECOND_FACTOR_WINDOW = Duration.ofMinutes(5);

    /** The expiry of a session that steps up from the first half of a login at {@code now}: a whole session's. */
    public Instant[] expiriesAfterStepUp(Instant createTime, Instant now) {
        Instant absolute = absoluteExpiry(createTime);
        return new Instant[] {absolute, idleExpiry(now, absolute)};
    }

    public Duration rotationGrace() {
        return rotationGrace;
    }

    /** Whether a token handed out at {@code issuedAt} is due for an automatic rotation at {@code now}. */
    public boolean rotationDue(Instant issuedAt, Instant now) {
        return !rotateAfter.isZero() && !now.isBefore(issuedAt.plus(rotateAfter));
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("sessions: " + name + " must be a positive duration");
        }
    }

    /** The absolute expiry of a session created at {@code createTime}: fixed for its whole life. */
    public Instant absoluteExpiry(Instant createTime) {
        return createTime.plus(absoluteTimeout);
    }

    /** The idle expiry after activity at {@code now}: slides forward, but never past the absolute expiry. */
    public Instant idleExpiry(Instant now, Instant absoluteExpiry) {
        Instant slid = now.plus(idleTimeout);
        return slid.isBefore(absoluteExpiry) ? slid : absoluteExpiry;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration forgetAfter() {
        return forgetAfter;
    }

    public int maxPerUser() {
        return maxPerUser;
    }

    public SessionLimit.Policy limitPolicy() {
        return limitPolicy;
    }

    /**
     * The session limit of one login: the caller's policy (none: this deployment's) and its own limit
     * (0: {@link #maxPerUser()}, which it may only lower). INVALID_ARGUMENT for a limit above that
     * or a malformed session id to replace.
     */
    public SessionLimit limitFor(SessionLimit.Requested requested) {
        long requestedMax = requested.maxSessions();
        String replaceSessionId = requested.replaceSessionId();
        if (requestedMax < 0 || requestedMax > maxPerUser) {
            throw new InvalidArgumentException("max_sessions", "is " + requestedMax + "; it may lower this deployment's limit of "
                    + maxPerUser + " live sessions per user, not raise it (0 keeps it)");
        }
        if (!replaceSessionId.isEmpty() && !SessionTokens.isSessionId(replaceSessionId)) {
            throw new InvalidArgumentException("replace_session_id", "is not a session id (22 URL-safe base64 characters)");
        }
        return new SessionLimit(requested.policy().orElse(limitPolicy), requestedMax == 0 ? maxPerUser : (int) requestedMax, replaceSessionId, "", "");
    }

    public int maxAttributes() {
        return maxAttributes;
    }

    /** Checks a whole attribute map, as given at login. */
    public Map<String, String> checkAttributes(String field, Map<String, String> attributes) {
        if (attributes.size() > maxAttributes) {
            throw new InvalidArgumentException(field, "has " + attributes.size() + " entries; at most " + maxAttributes + " are allowed");
        }
        attributes.forEach((name, value) -> checkAttribute(field, name, value));
        return attributes;
    }

    /** Checks a Touch's changes. Whether the result fits {@link #maxAttributes()} is for the store to tell. */
    public void checkAttributeChanges(Map<String, String> set, Collection<String> remove) {
        if (set.size() > maxAttributes) {
            throw new InvalidArgumentException("set_attributes", "has " + set.size() + " entries; at most " + maxAttributes + " are allowed");
        }
        if (remove.size() > maxAttributes) {
            throw new InvalidArgumentException("remove_attributes", "has " + remove.size() + " entries; at most " + maxAttributes + " are allowed");
        }
        set.forEach((name, value) -> checkAttribute("set_attributes", name, value));
        if (new java.util.HashSet<>(remove).size() != remove.size()) {
            throw new InvalidArgumentException("remove_attributes", "names an attribute more than once");
        }
        for (String name : remove) {
            checkAttributeName("remove_attributes", name);
            if (set.containsKey(name)) {
                throw new InvalidArgumentException("remove_attributes", "names '" + name + "', which set_attributes also sets");
            }
        }
    }

    /** Checks and returns the client metadata of a login. */
    public ClientInfo checkClient(ClientInfo client) {
        // Canonical, so that one address is one failure counter however the edge spells it.
        String ip = client.ipAddress().isEmpty() ? "" : ClientAddresses.parse("client.ip_address", client.ipAddress());
        return new ClientInfo(
                ip,
                Checks.optionalText("client.user_agent", client.userAgent(), MAX_USER_AGENT),
                Checks.optionalText("client.device_name", client.deviceName(), MAX_DEVICE_NAME));
    }

    private void checkAttribute(String field, String name, String value) {
        checkAttributeName(field, name);
        String valueField = field + "[" + name + "]";
        Checks.requireMaxLength(valueField, value, maxAttributeValue);
        Checks.requirePrintable(valueField, value);
    }

    private static void checkAttributeName(String field, String name) {
        if (!ATTRIBUTE_NAME.matcher(name).matches()) {
            throw new InvalidArgumentException(field, "has the attribute name '" + abbreviate(name)
                    + "'; names are 1 to " + MAX_ATTRIBUTE_NAME + " characters of letters, digits, '.', '_', ':' and '-'");
        }
    }

    private static String abbreviate(String name) {
        String printable = name.codePoints()
                .map(cp -> Character.isISOControl(cp) ? '?' : cp)
                .limit(32)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return name.length() > 32 ? printable + "…" : printable;
    }
}
