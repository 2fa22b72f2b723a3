package io.sessionauthority.service.logging;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sends java.util.logging (which grpc-java and parts of the JDK use) through SLF4J and logback, so
 * every line of the process goes through one pipeline: one format (JSON when asked), one rate
 * limit, one appender. Installed first thing in main, and again (harmlessly) by the service
 * context for tests and embedders that do not go through main.
 */
public final class JulBridge {

    private JulBridge() {
    }

    public static synchronized void install() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }
}
