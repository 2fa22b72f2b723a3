package io.sessionauthority.service.session;

/** Where a login came from, as the caller reports it. Empty strings mean "not told". */
public record ClientInfo(String ipAddress, String userAgent, String deviceName) {

    public static final ClientInfo NONE = new ClientInfo("", "", "");
}
