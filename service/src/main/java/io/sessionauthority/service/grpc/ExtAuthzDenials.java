package io.sessionauthority.service.grpc;

import com.google.rpc.Code;
import io.sessionauthority.service.envoy.CheckResponse;
import io.sessionauthority.service.envoy.DeniedHttpResponse;
import io.sessionauthority.service.envoy.HttpStatus;
import io.sessionauthority.service.envoy.StatusCode;

/** The answers Envoy turns into an HTTP error for the client: a status and a small JSON body. */
final class ExtAuthzDenials {

    private ExtAuthzDenials() {
    }

    /** No live session: 401, with why ({@code missing_token}, {@code malformed_token}, {@code revoked}, …). */
    static CheckResponse unauthenticated(String reason) {
        return denied(StatusCode.Unauthorized, Code.UNAUTHENTICATED, "unauthenticated", reason);
    }

    /**
     * The store cannot answer: fail closed with the configured HTTP status (503 by default; the
     * configuration accepts only the codes {@link StatusCode} names).
     */
    static CheckResponse unavailable(int httpStatus) {
        return denied(StatusCode.forNumber(httpStatus), Code.UNAVAILABLE, "unavailable", "unavailable");
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
