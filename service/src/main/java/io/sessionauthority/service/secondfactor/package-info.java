/** Second factors: TOTP (RFC 6238) with encrypted secrets and one-time recovery codes, and the step-up they allow. */
package io.sessionauthority.service.secondfactor;
