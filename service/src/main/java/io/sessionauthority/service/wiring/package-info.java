/**
 * Wiring: the Micronaut factories that turn the settings in {@code config} into the plain objects of
 * the other packages, and the transport and Redis client setup they need. No rule lives here.
 */
package io.sessionauthority.service.wiring;
