/**
 * Password-guessing limits: per address, per username, per day and per known device, with exact
 * bookkeeping of attempts whose outcome the caller never learned.
 */
package io.sessionauthority.service.throttle;
