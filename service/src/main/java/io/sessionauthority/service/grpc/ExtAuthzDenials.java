package io.sessionauthority.service.grpc;

import com.google.rpc.Code;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;

/** The answers Envoy turns into an HTTP error for the client: a status and a small JSON body. */
final class ExtAuthzDenials {

    private ExtAuthzDenials() {
    }

    /** No live session: 401, with why ({@code missing_token}, {@code malformed_token}, {@code revoked}, …). */
    static CheckResponse unauthenticated(String reason) {
        return denied(StatusCode.Unauthorized, Code.UNAUTHENTICATED, "unauthenticated", reason);
    }

    /** The store cannot answer: fail closed with the configured HTTP status (503 by default). */
    static CheckResponse unavailable(int httpStatus) {
        StatusCode code = StatusCode.forNumber(httpStatus);
        return denied(code == null ? StatusCode.ServiceUnavailable : code, Code.UNAVAILABLE, "unavailable", "unavailable");
    }

    private static CheckResponse denied(StatusCode http, Code code, String error, String reason) {
        return CheckResponse.newBuilder()
                .setStatus(com.google.rpc.Status.newBuilder().setCode(code.getNumber()))
                .setDeniedResponse(DeniedHttpResponse.newBuilder()
                        .setStatus(HttpStatus.newBuilder().setCode(http))
                        .addHeaders(UpstreamHeaders.set("content-type", "application/json"))
                        .setBody("{\"error\":\"" + error + "\",\"reason\":\"" + reason + "\"}"))
                .build();
    }
}
