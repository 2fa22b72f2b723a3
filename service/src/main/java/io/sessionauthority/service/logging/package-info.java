/**
 * The service's logging, configured in code: formats (text, JSON), the audit appender, and the
 * one line budget that keeps floods of repeated lines out of the log.
 */
package io.sessionauthority.service.logging;
