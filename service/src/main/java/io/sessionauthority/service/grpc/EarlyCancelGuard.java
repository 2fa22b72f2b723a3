package io.sessionauthority.service.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.core.order.Ordered;
import io.sessionauthority.service.admission.RateQuotas;
import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * Finds HTTP/2 rapid reset by its signature: a call cancelled before its request message arrived.
 * A client cancelling at its deadline has sent its request with its headers; an attacker opens
 * streams and resets them at once, each costing the service a call's set-up and nothing its own.
 * grpc-java's per-connection limit closes such a connection after so many resets, but the attacker
 * only opens another; so an address that cancels more calls this way than {@link RateQuotas} allows
 * is reported ({@code penalize}), and the port admits no new connection from it for a while.
 */
public final class EarlyCancelGuard implements ServerInterceptor, Ordered {

    private final RateQuotas earlyCancels;
    private final Consumer<InetAddress> penalize;

    public EarlyCancelGuard(RateQuotas earlyCancels, Consumer<InetAddress> penalize) {
        this.earlyCancels = earlyCancels;
        this.penalize = penalize;
    }

    @Override
    public int getOrder() {
        return InterceptorOrder.EARLY_CANCEL_GUARD;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        ServerCall.Listener<ReqT> listener = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean requested;

            @Override
            public void onMessage(ReqT message) {
                requested = true;
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                if (!requested) {
                    InetAddress address = OpenStreamLimit.addressOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
                    if (!earlyCancels.take(address.getHostAddress()).isZero()) {
                        penalize.accept(address);
                    }
                }
                super.onCancel();
            }
        };
    }
}
