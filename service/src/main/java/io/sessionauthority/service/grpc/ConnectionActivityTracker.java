package io.sessionauthority.service.grpc;

import io.grpc.Attributes;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import io.sessionauthority.service.admission.ConnectionActivity;
import io.sessionauthority.service.admission.RateQuotas;
import java.util.function.Consumer;

/**
 * Counts every call on its connection's {@link ConnectionActivity} (so a connection that carries no
 * call can be told from one that does), and finds HTTP/2 rapid reset by its signature: a call
 * cancelled before its request message arrived. A client cancelling at its deadline has almost
 * always sent its request with its headers; an attacker opens streams and resets them at once, each
 * costing the service a call's set-up. A connection whose calls are cancelled that way faster than
 * {@link RateQuotas} allows is reported as {@code abusive}, once.
 */
public final class ConnectionActivityTracker implements ServerInterceptor, Ordered {

    /** The connection's activity, set on its transport's attributes when its handshake finishes. */
    public static final Attributes.Key<ConnectionActivity> ACTIVITY = Attributes.Key.create("session-authority-connection-activity");

    private final RateQuotas earlyCancelsPerConnection;
    private final Consumer<ConnectionActivity> abusive;

    public ConnectionActivityTracker(RateQuotas earlyCancelsPerConnection, Consumer<ConnectionActivity> abusive) {
        this.earlyCancelsPerConnection = earlyCancelsPerConnection;
        this.abusive = abusive;
    }

    @Override
    public int getOrder() {
        return InterceptorOrder.CONNECTION_ACTIVITY;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        ConnectionActivity activity = call.getAttributes().get(ACTIVITY);
        if (activity == null) {
            return next.startCall(call, headers);
        }
        activity.callStarted();
        ServerCall.Listener<ReqT> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException e) {
            activity.callEnded();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean requested;
            private boolean ended;

            @Override
            public void onMessage(ReqT message) {
                requested = true;
                super.onMessage(message);
            }

            @Override
            public void onComplete() {
                end();
                super.onComplete();
            }

            @Override
            public void onCancel() {
                end();
                if (!requested && !earlyCancelsPerConnection.take(activity.key()).isZero() && activity.firstAbuse()) {
                    abusive.accept(activity);
                }
                super.onCancel();
            }

            private void end() {
                if (!ended) {
                    ended = true;
                    activity.callEnded();
                }
            }
        };
    }
}
