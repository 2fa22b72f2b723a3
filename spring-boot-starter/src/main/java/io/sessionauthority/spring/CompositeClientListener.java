package io.sessionauthority.spring;

import io.sessionauthority.client.ClientListener;
import java.time.Duration;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Every {@link ClientListener} bean of the application, as the one listener the client takes. A
 * listener that throws is logged and skipped: observing a call must never fail it.
 */
final class CompositeClientListener implements ClientListener {

    private static final Log LOG = LogFactory.getLog(CompositeClientListener.class);

    private final List<ClientListener> listeners;

    private CompositeClientListener(List<ClientListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Null for none, the listener itself for one, a composite for more. */
    static ClientListener of(List<ClientListener> listeners) {
        if (listeners.isEmpty()) {
            return null;
        }
        return listeners.size() == 1 ? listeners.get(0) : new CompositeClientListener(listeners);
    }

    @Override
    public void onCall(String method, Duration latency, String outcome) {
        for (ClientListener listener : listeners) {
            try {
                listener.onCall(method, latency, outcome);
            } catch (RuntimeException e) {
                LOG.debug("ClientListener " + listener + " failed on a call", e);
            }
        }
    }

    @Override
    public void onCacheHit(String method) {
        for (ClientListener listener : listeners) {
            try {
                listener.onCacheHit(method);
            } catch (RuntimeException e) {
                LOG.debug("ClientListener " + listener + " failed on a cache hit", e);
            }
        }
    }
}
