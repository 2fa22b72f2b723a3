package io.sessionauthority.service.health;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * On SIGTERM (a rolling restart, {@code docker stop}, Kubernetes), shuts down gracefully: health
 * reports NOT_SERVING at once and long-lived streams end (their clients resume elsewhere), the service waits {@code session-authority.shutdown.drain-delay} for
 * load balancers to notice, stops taking new calls, lets calls in flight finish within
 * {@code grpc.server.await-termination}, and exits 0 (the JVM's default would be 143).
 */
public final class GracefulShutdown {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    private GracefulShutdown() {
    }

    /**
     * Handles SIGTERM from now on: {@code begin} runs at once (health NOT_SERVING, streams ended),
     * {@code stop} after the drain delay stops the application context (and with it the gRPC server).
     */
    public static void onSigterm(Runnable begin, Runnable stop, Duration drainDelay) {
        Signal.handle(new Signal("TERM"), signal -> new Thread(() -> shutDown(begin, stop, drainDelay), "graceful-shutdown").start());
    }

    private static void shutDown(Runnable begin, Runnable stop, Duration drainDelay) {
        try {
            begin.run();
            if (!drainDelay.isZero()) {
                Thread.sleep(drainDelay.toMillis());
            }
            stop.run(); // stops the gRPC server: no new calls; calls in flight finish within the grace period
            LOG.info("Stopped gracefully");
            System.exit(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        } catch (RuntimeException e) {
            LOG.error("Graceful shutdown failed", e);
            System.exit(1);
        }
    }
}
