package io.sessionauthority.service.error;

/** The caller is known but not allowed to make this call. Checked before anything is looked up. */
public final class PermissionDeniedException extends SessionAuthorityException {

    public PermissionDeniedException(String caller, String needed) {
        super("PERMISSION_DENIED", "caller '" + caller + "' lacks the '" + needed + "' permission");
    }
}
