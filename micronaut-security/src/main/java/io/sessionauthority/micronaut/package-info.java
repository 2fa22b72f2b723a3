/**
 * Micronaut Security with Session Authority: routes protected with {@code @Secured} by session
 * tokens (see {@link io.sessionauthority.micronaut.SessionTokenValidator}).
 */
package io.sessionauthority.micronaut;
