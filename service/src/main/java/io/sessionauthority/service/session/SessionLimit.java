package io.sessionauthority.service.session;

import java.util.Locale;

/**
 * What one login does about its user's session limit: the policy, the most live sessions the user
 * may have with this login counted, a session the login ends as it starts (empty for none) and,
 * under {@link Policy#ONE_PER_DEVICE}, the devices involved.
 *
 * @param maxSessions       live sessions the user may have with the new one counted
 * @param replaceSessionId  a session of the user this login ends (reason SESSION_LIMIT), or empty
 * @param deviceId          the one-way id of the device token this login hands out, kept with the
 *                          session under ONE_PER_DEVICE so the device's next login finds it; else empty
 * @param replacedDeviceId  under ONE_PER_DEVICE, the known device this login comes from: its
 *                          sessions end; else empty
 */
public record SessionLimit(Policy policy, int maxSessions, String replaceSessionId, String deviceId, String replacedDeviceId) {

    /** The policies, by their configuration names ({@code evict-least-recent}, …). */
    public enum Policy {
        /** Past the limit, the least recently used sessions end. */
        EVICT_LEAST_RECENT,
        /** Past the limit, the login is refused; nothing ends. */
        DENY_NEW,
        /** A known device's new session replaces its previous one; past the limit, as EVICT_LEAST_RECENT. */
        ONE_PER_DEVICE;

        /** {@code evict-least-recent}, {@code deny-new} or {@code one-per-device}. */
        public static Policy named(String name) {
            for (Policy policy : values()) {
                if (policy.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return policy;
                }
            }
            throw new IllegalArgumentException("sessions: limit-policy '" + name
                    + "' is none of evict-least-recent, deny-new, one-per-device");
        }

        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * What a login's caller asked for: a policy (empty: the deployment's), its own limit (0: the
     * deployment's, which it may only lower) and a session to end as the new one starts (empty: none).
     */
    public record Requested(java.util.Optional<Policy> policy, long maxSessions, String replaceSessionId) {

        /** The deployment's policy and limit, nothing replaced. */
        public static final Requested DEPLOYMENT_DEFAULTS = new Requested(java.util.Optional.empty(), 0, "");
    }

    public SessionLimit {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("a session limit is at least 1");
        }
    }

    /** The same limit with the devices of a login under {@link Policy#ONE_PER_DEVICE} (ignored under the others). */
    public SessionLimit withDevices(String newDeviceId, String knownDeviceId) {
        return policy == Policy.ONE_PER_DEVICE ? new SessionLimit(policy, maxSessions, replaceSessionId, newDeviceId, knownDeviceId) : this;
    }
}
