package io.sessionauthority.service.throttle;

import io.sessionauthority.service.validation.UserBoundTokens;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * Device tokens, OWASP's "device cookie" against online guessing: a successful login hands the
 * device a token, and a login that presents it again gets a failure budget of its own, so an
 * attacker guessing from elsewhere cannot lock the real user out of a device they used before.
 *
 * <p>A token is {@value #PREFIX} and 64 URL-safe base64 characters, in the shape of
 * {@link UserBoundTokens}. It is not a credential (it proves nothing without the password), but an
 * attacker who could mint valid ones would mint fresh budgets, so only its one-way id (the device
 * id) is stored, under the user it was issued to.
 */
public final class DeviceTokens {

    public static final String PREFIX = "sad1_";
    private static final UserBoundTokens FORMAT = new UserBoundTokens(PREFIX, "session-authority/device-id/v1", "device token");

    private final SecureRandom random;

    public DeviceTokens(SecureRandom random) {
        this.random = random;
    }

    /** A device token presented with a login: the raw token, the user it was issued to, its device id. */
    public record Presented(String token, String userId, String deviceId) {
        @Override
        public String toString() {
            return "Presented[userId=" + userId + ", deviceId=" + deviceId + ", token=<redacted>]";
        }
    }

    /** A new token for a device of {@code userId}. */
    public Presented issue(String userId) {
        UserBoundTokens.Issued issued = FORMAT.issue(userId, random);
        return new Presented(issued.token(), userId, issued.id());
    }

    /**
     * Reads an optional device token: empty when none was presented, INVALID_ARGUMENT (naming
     * {@code field}) when it is not of the token format. A well-formed token may still be unknown.
     */
    public static Optional<Presented> parse(String field, String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        UserBoundTokens.Parsed parsed = FORMAT.parse(field, token);
        java.util.Arrays.fill(parsed.secret(), (byte) 0); // the token itself is what is kept
        return Optional.of(new Presented(token, parsed.userId(), parsed.id()));
    }
}
