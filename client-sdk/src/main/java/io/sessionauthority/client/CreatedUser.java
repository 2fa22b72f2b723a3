package io.sessionauthority.client;

/**
 * A user the authority has just created.
 *
 * @param userId   the user's id: stable, and what every other call names the user by
 * @param username the username as the authority normalized it
 */
public record CreatedUser(String userId, String username) {
}
