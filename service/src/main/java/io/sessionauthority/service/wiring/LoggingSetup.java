package io.sessionauthority.service.wiring;

import io.micronaut.context.annotation.Context;
import io.sessionauthority.service.logging.JulBridge;

/** Puts java.util.logging on the one logback pipeline whenever the service context starts. */
@Context
public class LoggingSetup {

    public LoggingSetup() {
        JulBridge.install();
    }
}
