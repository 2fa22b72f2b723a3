package io.sessionauthority.service.user;

import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.validation.Checks;
import io.sessionauthority.service.validation.Ids;
import java.security.SecureRandom;

/**
 * User ids: 128 random bits in the {@linkplain Ids id shape}. Random rather than sequential, so ids
 * reveal neither how many users exist nor when one was created.
 */
public final class UserIds {

    public static final int BYTES = Ids.BYTES;

    private UserIds() {
    }

    public static String newId(SecureRandom random) {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return Ids.encode(bytes);
    }

    /** Fails with INVALID_ARGUMENT unless {@code value} is a well-formed user id (in canonical form). */
    public static String require(String field, String value) {
        Checks.requireNonEmpty(field, value);
        if (!Ids.isWellFormed(value)) {
            throw new InvalidArgumentException(field, "is not a user id (22 URL-safe base64 characters)");
        }
        return value;
    }

    public static boolean isWellFormed(String value) {
        return Ids.isWellFormed(value);
    }
}
