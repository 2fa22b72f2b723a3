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

    /**
     * A live session the route needs stronger or fresher: 401 with RFC 9470's challenge
     * ({@code insufficient_user_authentication}, {@code acr_values}, {@code max_age}), so the client
     * knows to step up rather than to log in again.
     */
    static CheckResponse stepUpRequired(io.sessionauthority.service.session.SessionCheck check) {
        io.sessionauthority.service.session.Requirement unmet = check.unmet();
        String challenge = "Bearer error=\"insufficient_user_authentication\", acr_values=\"aal" + unmet.minLevel() + "\""
                + (unmet.maxAuthAge() == null ? "" : ", max_age=" + unmet.maxAuthAge().toSeconds());
        CheckResponse denied = denied(StatusCode.Unauthorized, Code.UNAUTHENTICATED, "step_up_required",
                check.session().authentication().pending() ? "second_factor_pending" : "insufficient_user_authentication");
        return denied.toBuilder().setDeniedResponse(denied.getDeniedResponse().toBuilder()
                .addHeaders(UpstreamHeaders.set("www-authenticate", challenge))).build();
    }

    /** A route whose context extensions (what it needs of the session) do not parse: 500, never let through. */
    static CheckResponse routeMisconfigured() {
        return denied(StatusCode.InternalServerError, Code.INTERNAL, "route_misconfigured", "context_extensions");
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
