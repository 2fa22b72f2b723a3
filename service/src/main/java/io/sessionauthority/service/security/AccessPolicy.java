package io.sessionauthority.service.security;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which permission each RPC needs. An RPC missing here is refused: a new method is closed until
 * someone decides who may call it.
 */
public final class AccessPolicy {

    private static final String SERVICE = "sessionauthority.v1.SessionAuthorityService/";
    private static final Map<String, Set<Permission>> ANY_OF = Map.of(
            SERVICE + "Validate", Set.of(Permission.VALIDATE),
            SERVICE + "Touch", Set.of(Permission.VALIDATE),
            SERVICE + "Login", Set.of(Permission.LOGIN),
            // Logout (by token) needs LOGIN; the endpoint also asks ADMIN for revokes by id or of all sessions.
            SERVICE + "Revoke", Set.of(Permission.LOGIN, Permission.ADMIN),
            SERVICE + "CreateUser", Set.of(Permission.ADMIN),
            SERVICE + "ListSessions", Set.of(Permission.ADMIN),
            SERVICE + "ChangePassword", Set.of(Permission.ADMIN),
            // Envoy's ext_authz asks "is this request's session live?": a validation.
            "envoy.service.auth.v3.Authorization/Check", Set.of(Permission.VALIDATE));

    private AccessPolicy() {
    }

    /** The permissions of which a caller needs one to call {@code fullMethodName}; empty for an unlisted method. */
    public static Optional<Set<Permission>> anyOf(String fullMethodName) {
        return Optional.ofNullable(ANY_OF.get(fullMethodName));
    }

    /** Whether any method of {@code serviceName} needs a permission (and so may never be left open). */
    public static boolean protects(String serviceName) {
        return ANY_OF.keySet().stream().anyMatch(method -> method.startsWith(serviceName + "/"));
    }

    /** Whether {@code caller} may call {@code fullMethodName} at all. */
    public static boolean allows(Caller caller, String fullMethodName) {
        return anyOf(fullMethodName).map(needed -> needed.stream().anyMatch(caller::may)).orElse(false);
    }
}
