/**
 * The audit trail: one line per security event (who asked, for whom, which session, why), on its
 * own logger so it can be routed apart from diagnostics. Never a token, a password or a hash.
 */
package io.sessionauthority.service.audit;
