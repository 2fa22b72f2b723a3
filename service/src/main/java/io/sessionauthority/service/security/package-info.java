/**
 * Callers of the service: who they are (API keys, TLS identities) and what each may do.
 */
package io.sessionauthority.service.security;
