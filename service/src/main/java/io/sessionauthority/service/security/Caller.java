package io.sessionauthority.service.security;

import java.util.Set;

/**
 * Who is calling (another service, not an end user) and what it may do.
 *
 * @param name        the caller's configured name, for logs and the audit trail
 * @param permissions what it may do
 */
public record Caller(String name, Set<Permission> permissions) {

    /** The caller of a service that runs without caller authentication (development only). */
    public static final Caller UNAUTHENTICATED_DEV = new Caller("anonymous-dev", Set.of(Permission.values()));

    /** A caller that may do nothing: what an unauthenticated path fails closed to. */
    public static final Caller NOBODY = new Caller("nobody", Set.of());

    public Caller {
        permissions = Set.copyOf(permissions);
    }

    /** Whether this is a configured caller that proved who it is (not the development or fail-closed stand-in). */
    public boolean authenticated() {
        return this != UNAUTHENTICATED_DEV && this != NOBODY;
    }

    public boolean may(Permission permission) {
        return permissions.contains(permission);
    }
}
