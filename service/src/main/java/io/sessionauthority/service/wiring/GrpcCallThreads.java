package io.sessionauthority.service.wiring;

import io.grpc.ServerBuilder;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;

/**
 * Every call runs on the event loop its connection lives on ({@link IoEventLoops}), not on a pool.
 *
 * <p>Micronaut hands gRPC its I/O pool, so each call was passed from the loop to a pool thread and
 * its answer back: measured with perf under h2load, those wake-ups and context switches were about
 * two thirds of the service's CPU for a health Check (85 µs a call, 20 µs without them) and the
 * larger part of a Validate's. Nothing a call does here blocks: Redis commands are asynchronous,
 * bcrypt runs on its own pool ({@link io.sessionauthority.service.user.HashingPool}), and the
 * revocation stream sends from a scheduler of its own. The one wait is by design: audit lines are
 * never dropped, so a call that writes one while stdout is stalled and the audit queue is full
 * waits (Lettuce's thread, which runs the same callbacks, always did). Code added to an endpoint or
 * an interceptor must not add others: a call that blocks stalls every connection on its loop.
 */
@Singleton
public class GrpcCallThreads implements BeanCreatedEventListener<ServerBuilder<?>> {

    @Override
    public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
        return event.getBean().directExecutor();
    }
}
