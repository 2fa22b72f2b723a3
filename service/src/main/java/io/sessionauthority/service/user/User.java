package io.sessionauthority.service.user;

import java.time.Instant;

/**
 * A user as stored: its id, normalized username, bcrypt hash and whether a second factor is active.
 * Never logged whole.
 */
public record User(String id, String username, String passwordHash, Instant createTime, boolean secondFactor) {

    /** A user without a second factor. */
    public User(String id, String username, String passwordHash, Instant createTime) {
        this(id, username, passwordHash, createTime, false);
    }

    @Override
    public String toString() {
        return "User[id=" + id + ", username=" + username + "]";
    }
}
