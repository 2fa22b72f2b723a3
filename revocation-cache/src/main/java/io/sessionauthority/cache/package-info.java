/**
 * The revocation-aware cache shared by the service (hot sessions) and the client SDK (validation
 * cache): plain Java, no dependencies, so both can use it and neither brings the other's world.
 */
package io.sessionauthority.cache;
