/**
 * Wiring: Micronaut factories and the configuration property classes. Everything here turns
 * settings into the plain objects of the other packages; no rule lives here.
 */
package io.sessionauthority.service.config;
