/**
 * Revocation events: the log every replica and SDK cache follows (RevocationLog), and the one
 * reader of it per replica that fans events out to subscribers (RevocationHub).
 */
package io.sessionauthority.service.revocation;
