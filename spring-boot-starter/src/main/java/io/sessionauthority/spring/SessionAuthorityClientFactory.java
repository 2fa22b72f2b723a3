package io.sessionauthority.spring;

import io.sessionauthority.client.ClientListener;
import io.sessionauthority.client.MisconfiguredException;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.client.SessionAuthorityException;
import io.sessionauthority.client.UnavailableException;
import java.nio.file.Path;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.StringUtils;

/** Builds the application's {@link SessionAuthorityClient} from {@link SessionAuthorityProperties}. */
final class SessionAuthorityClientFactory {

    private static final Log LOG = LogFactory.getLog(SessionAuthorityClientFactory.class);

    private SessionAuthorityClientFactory() {
    }

    /**
     * Builds and, when asked to, waits for the connection. {@code listener} may be null. Contradictory
     * settings fail startup; an authority that is merely not reachable yet never does.
     */
    static SessionAuthorityClient create(SessionAuthorityProperties properties, ClientListener listener) {
        SessionAuthorityClient.Builder builder = SessionAuthorityClient.builder(target(properties));
        transport(builder, properties);
        if (StringUtils.hasText(properties.getApiKey())) {
            builder.apiKey(properties.getApiKey());
        }
        builder.deadline(properties.getDeadline()).connectTimeout(properties.getConnectTimeout());
        SessionAuthorityProperties.Cache cache = properties.getCache();
        if (cache.getMaxEntries() > 0) {
            setting("cache.max-age", cache.getMaxAge(), () -> builder.validationCache(cache.getMaxEntries(), cache.getMaxAge()));
            builder.revocationStream(cache.isRevocationStream());
            setting("cache.degraded-max-age", cache.getDegradedMaxAge(), () -> builder.degradedCacheAge(cache.getDegradedMaxAge()));
            setting("cache.negative-max-age", cache.getNegativeMaxAge(), () -> builder.negativeCacheAge(cache.getNegativeMaxAge()));
            setting("cache.slide-sessions", cache.getSlideSessions(), () -> builder.slideSessions(cache.getSlideSessions()));
        }
        if (listener != null) {
            builder.listener(listener);
        }
        SessionAuthorityClient client = builder.build();
        if (properties.isAwaitReadyOnStartup()) {
            awaitReady(client, properties);
        }
        return client;
    }

    /** Applies one setting, naming the property when the SDK refuses its value. */
    private static void setting(String name, Object value, Runnable apply) {
        try {
            apply.run();
        } catch (IllegalArgumentException refused) {
            throw new InvalidConfigurationPropertyValueException(SessionAuthorityProperties.PREFIX + "." + name, value,
                    refused.getMessage());
        }
    }

    private static String target(SessionAuthorityProperties properties) {
        if (!StringUtils.hasText(properties.getTarget())) {
            throw new InvalidConfigurationPropertyValueException(SessionAuthorityProperties.PREFIX + ".target",
                    properties.getTarget(), "Set it to the authority's address: host:port, or dns:///name:port.");
        }
        return properties.getTarget().trim();
    }

    private static void transport(SessionAuthorityClient.Builder builder, SessionAuthorityProperties properties) {
        SessionAuthorityProperties.Tls tls = properties.getTls();
        if (properties.isPlaintext()) {
            // Asking for plaintext while naming TLS files is a mistake to surface, not to resolve silently.
            if (tls.getCa() != null || tls.getCert() != null || tls.getKey() != null) {
                throw new InvalidConfigurationPropertyValueException(SessionAuthorityProperties.PREFIX + ".plaintext", true,
                        "It contradicts the tls.* settings: remove one or the other.");
            }
            builder.plaintext();
            return;
        }
        if ((tls.getCert() == null) != (tls.getKey() == null)) {
            throw new InvalidConfigurationPropertyValueException(SessionAuthorityProperties.PREFIX + ".tls.cert",
                    tls.getCert(), "Mutual TLS needs both tls.cert and tls.key.");
        }
        if (tls.getCert() != null) {
            builder.mutualTls(required(tls.getCa()), tls.getCert(), tls.getKey());
        } else if (tls.getCa() != null) {
            builder.tls(tls.getCa());
        } else {
            builder.systemTrust();
        }
    }

    private static Path required(Path ca) {
        if (ca == null) {
            throw new InvalidConfigurationPropertyValueException(SessionAuthorityProperties.PREFIX + ".tls.ca", null,
                    "Mutual TLS (tls.cert and tls.key) needs the CA certificates to trust as well.");
        }
        return ca;
    }

    /**
     * Waits for the first connection so that the application's first request does not pay for it
     * (or fail on it). Never fails startup: the authority may come up after the application, and
     * until it does, requests with a token answer 503.
     */
    private static void awaitReady(SessionAuthorityClient client, SessionAuthorityProperties properties) {
        try {
            client.awaitReady(properties.getConnectTimeout());
        } catch (MisconfiguredException e) {
            LOG.warn("Session Authority at " + properties.getTarget() + " refuses this application (TLS trust or credentials);"
                    + " requests with a session token will answer 503 until that is fixed: " + e.getMessage());
        } catch (UnavailableException e) {
            LOG.warn("Session Authority at " + properties.getTarget() + " was not ready within " + properties.getConnectTimeout()
                    + "; starting anyway, requests with a session token answer 503 until it is: " + e.getMessage());
        } catch (SessionAuthorityException e) {
            LOG.warn("Session Authority at " + properties.getTarget() + " could not be reached at startup; starting anyway: "
                    + e.getMessage());
        }
    }
}
