package io.sessionauthority.service.wiring;

import io.grpc.ServerInterceptor;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.sessionauthority.service.config.TlsProperties;
import io.sessionauthority.service.grpc.CallerAuthInterceptor;
import io.sessionauthority.service.security.CallerProperties;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.config.SecurityProperties;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caller authentication, and the guard that keeps an unauthenticated service off the network: it
 * refuses to start when callers need not authenticate and the gRPC port listens beyond loopback,
 * unless {@code session-authority.security.allow-unauthenticated-callers} says so explicitly.
 */
@Factory
public class SecurityFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SecurityFactory.class);

    @Singleton
    CallerRegistry callerRegistry(List<CallerProperties> callers) {
        return new CallerRegistry(callers);
    }

    @Context
    @Singleton
    ServerInterceptor callerAuthInterceptor(CallerRegistry registry, SecurityProperties properties, TlsProperties tls,
                                            @Nullable @Value("${grpc.server.host}") String host) {
        if (properties.callerAuth() == SecurityProperties.CallerAuth.REQUIRED) {
            if (registry.isEmpty()) {
                throw new IllegalStateException("session-authority.security.caller-auth is 'required' but no caller is "
                        + "configured under session-authority.security.callers: nobody could call the service");
            }
            if (registry.hasApiKeys() && !tls.enabled() && !isLoopback(host) && !properties.allowPlaintextApiKeys()) {
                throw new IllegalStateException("refusing to start: callers present API keys, but the gRPC port listens on '"
                        + (host == null || host.isBlank() ? "all interfaces" : host) + "' without TLS, so every key would cross "
                        + "the network in clear. Configure session-authority.tls (see docs/SECURING.md), listen on 127.0.0.1, "
                        + "or, if something in front encrypts the traffic (a mesh), set session-authority.security.allow-plaintext-api-keys=true");
            }
            if (registry.hasApiKeys() && !tls.enabled()) {
                LOG.warn("API keys are accepted over plaintext gRPC on {}", host == null || host.isBlank() ? "all interfaces" : host);
            }
            return new CallerAuthInterceptor(registry, properties);
        }
        boolean loopback = isLoopback(host);
        if (!loopback && !properties.allowUnauthenticatedCallers()) {
            throw new IllegalStateException("refusing to start: the gRPC port listens on '" + (host == null || host.isBlank() ? "all interfaces" : host)
                    + "' and callers need not authenticate. Configure callers and set session-authority.security.caller-auth=required "
                    + "(see docs/SECURING.md), listen on 127.0.0.1 (GRPC_SERVER_HOST), or, if something in front authenticates "
                    + "callers, set session-authority.security.allow-unauthenticated-callers=true");
        }
        LOG.warn("""

                ************************************************************************
                *  CALLER AUTHENTICATION IS OFF: any process that reaches the gRPC port *
                *  can log users in, validate and revoke sessions.                      *
                *  Listening on {}. Development only.
                ************************************************************************""",
                host == null || host.isBlank() ? "all interfaces (explicitly allowed)" : host);
        return new CallerAuthInterceptor(registry, properties);
    }

    static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            // Only literals are meaningful here; a name is resolved once, at startup.
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
