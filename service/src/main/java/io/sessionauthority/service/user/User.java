package io.sessionauthority.service.user;

import java.time.Instant;

/** A user as stored: its id, normalized username and bcrypt hash. Never logged whole. */
public record User(String id, String username, String passwordHash, Instant createTime) {

    @Override
    public String toString() {
        return "User[id=" + id + ", username=" + username + "]";
    }
}
