/**
 * The service's own metrics (Micrometer): logins, validations, the hashing pool, redeliveries, an
 * approximate live-session count.
 */
package io.sessionauthority.service.metrics;
