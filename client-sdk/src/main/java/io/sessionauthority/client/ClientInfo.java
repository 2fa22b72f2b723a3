package io.sessionauthority.client;

import io.sessionauthority.v1.ClientMetadata;
import java.util.Objects;

/**
 * The client a login comes from, as the calling service saw it: the end user's IP address (not the
 * calling service's), its User-Agent and a device name to show in a "your sessions" list. Every
 * part is optional ({@code ""} when unknown). The authority throttles guessing by address and by
 * device, so a service in front of browsers should pass the real address.
 *
 * @param ipAddress  the end user's IP address, or {@code ""}
 * @param userAgent  the end user's User-Agent, or {@code ""}
 * @param deviceName a human name for the device, such as "iPhone", or {@code ""}
 */
public record ClientInfo(String ipAddress, String userAgent, String deviceName) {

    private static final ClientInfo NONE = new ClientInfo("", "", "");

    /** Unknown parts are {@code ""}: a null becomes one. */
    public ClientInfo {
        ipAddress = Objects.requireNonNullElse(ipAddress, "");
        userAgent = Objects.requireNonNullElse(userAgent, "");
        deviceName = Objects.requireNonNullElse(deviceName, "");
    }

    /** Nothing known about the client (a login from a back office, a test). */
    public static ClientInfo none() {
        return NONE;
    }

    /** The SDK's view of the authority's message. */
    public static ClientInfo of(ClientMetadata proto) {
        return new ClientInfo(proto.getIpAddress(), proto.getUserAgent(), proto.getDeviceName());
    }

    /** As the authority's message. */
    public ClientMetadata proto() {
        return ClientMetadata.newBuilder().setIpAddress(ipAddress).setUserAgent(userAgent).setDeviceName(deviceName).build();
    }
}
