/**
 * Sessions: the rules of login, validation, sliding expiry and revocation, and the hot-session
 * cache. Plain Java: the store behind it is an interface, implemented in the store package.
 */
package io.sessionauthority.service.session;
