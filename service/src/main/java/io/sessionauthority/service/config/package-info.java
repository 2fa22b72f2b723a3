/**
 * The service's settings, typed: one property class per concern, each the documented keys under
 * {@code session-authority.*} (docs/OPERATING.md's table is checked against them), plus the
 * environment-variable aliases. Plain values; how they become objects is {@code wiring}'s.
 */
package io.sessionauthority.service.config;
