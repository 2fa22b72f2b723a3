/**
 * What the standard gRPC health service and the management port report, and graceful shutdown.
 */
package io.sessionauthority.service.health;
