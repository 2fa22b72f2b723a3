/**
 * Thread scheduling the JVM has no call for: running password hashing under Linux's SCHED_IDLE.
 */
package io.sessionauthority.service.scheduling;
