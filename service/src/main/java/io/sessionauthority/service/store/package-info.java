/**
 * Everything that touches Redis: key names (RedisSchema), Lua scripts, connections, and the
 * implementations of the domain's store interfaces. The only package that imports Lettuce commands.
 */
package io.sessionauthority.service.store;
