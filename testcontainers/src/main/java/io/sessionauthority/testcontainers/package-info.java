/**
 * Session Authority for Testcontainers: {@link io.sessionauthority.testcontainers.SessionAuthorityContainer}
 * starts the authority and its Redis, waits until the authority is ready, and hands out clients.
 */
package io.sessionauthority.testcontainers;
