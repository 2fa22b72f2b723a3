package io.sessionauthority.service.security;

import io.sessionauthority.service.error.PermissionDeniedException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may do what: the one place that decides. Two steps, both from here:
 * <ol>
 *   <li>per method, before the request is read ({@link #allows}): the caller needs one of the
 *       method's permissions, or it learns nothing and costs nothing;</li>
 *   <li>per request, where one method does things of different weight ({@link #require}): a Touch
 *       that changes attributes, a Revoke by id or of all of a user's sessions.</li>
 * </ol>
 * A method missing here is refused: a new RPC is closed until someone decides who may call it.
 */
public final class AccessPolicy {

    private static final String SERVICE = "sessionauthority.v1.SessionAuthorityService/";

    /** What a request does, where a method does more than one thing. */
    public enum Action {
        /** Touch that sets or removes attributes. */
        WRITE_ATTRIBUTES(Permission.WRITE_ATTRIBUTES),
        /** Revoke one session by its ids, or every session of a user. */
        REVOKE_ANY_SESSION(Permission.ADMIN);

        private final Permission needs;

        Action(Permission needs) {
            this.needs = needs;
        }
    }

    private static final Map<String, Set<Permission>> ANY_OF = Map.ofEntries(
            Map.entry(SERVICE + "Validate", Set.of(Permission.VALIDATE)),
            // Keeping a session alive is part of checking it; writing attributes is asked per request.
            Map.entry(SERVICE + "Touch", Set.of(Permission.VALIDATE, Permission.WRITE_ATTRIBUTES)),
            Map.entry(SERVICE + "WatchRevocations", Set.of(Permission.VALIDATE)),
            // Rotating a token is part of keeping its session (the edge that validates does it), or of logging in.
            Map.entry(SERVICE + "Refresh", Set.of(Permission.VALIDATE, Permission.LOGIN)),
            Map.entry(SERVICE + "Login", Set.of(Permission.LOGIN)),
            // A second factor is part of logging in: the edge that logs users in enrolls it and steps sessions up.
            Map.entry(SERVICE + "StepUp", Set.of(Permission.LOGIN)),
            Map.entry(SERVICE + "EnrollTotp", Set.of(Permission.LOGIN)),
            Map.entry(SERVICE + "ConfirmTotp", Set.of(Permission.LOGIN)),
            Map.entry(SERVICE + "DisableTotp", Set.of(Permission.ADMIN)),
            // Logout (by token) needs LOGIN; a revoke by id or of all sessions is asked per request.
            Map.entry(SERVICE + "Revoke", Set.of(Permission.LOGIN, Permission.ADMIN)),
            Map.entry(SERVICE + "CreateUser", Set.of(Permission.ADMIN)),
            Map.entry(SERVICE + "ImportUsers", Set.of(Permission.ADMIN)),
            Map.entry(SERVICE + "ListSessions", Set.of(Permission.ADMIN)),
            Map.entry(SERVICE + "ChangePassword", Set.of(Permission.ADMIN)),
            // Envoy's ext_authz asks "is this request's session live?": a validation.
            Map.entry("envoy.service.auth.v3.Authorization/Check", Set.of(Permission.VALIDATE)));

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

    /** Fails with PermissionDeniedException unless {@code caller} may do {@code action}. */
    public static void require(Caller caller, Action action) {
        if (!caller.may(action.needs)) {
            throw new PermissionDeniedException(caller.name(), action.needs.name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
