package io.sessionauthority.service.health;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import org.reactivestreams.Publisher;

/**
 * HTTP readiness ({@code /health/readiness}) tells the same truth as the gRPC health service: ready
 * while calls can be served, not ready while Redis cannot answer and from the first moment of a
 * shutdown, so a load balancer or Kubernetes that probes HTTP stops sending traffic during the
 * drain, like one that probes gRPC. Liveness does not follow it: a process that is draining or
 * waiting for Redis is alive, and restarting it would not help.
 */
public final class ServingReadiness implements HealthIndicator {

    private final ServingStatus status;

    public ServingReadiness(ServingStatus status) {
        this.status = status;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Publishers.just(HealthResult.builder("session-authority", status.isServing() ? HealthStatus.UP : HealthStatus.DOWN).build());
    }
}
