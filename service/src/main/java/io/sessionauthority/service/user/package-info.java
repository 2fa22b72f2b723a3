/**
 * Users: creation, password checks and changes, usernames (Unicode's identifier and confusable
 * rules) and the hashing pool that keeps bcrypt off the threads that answer calls.
 */
package io.sessionauthority.service.user;
