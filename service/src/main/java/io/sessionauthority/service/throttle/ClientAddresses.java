package io.sessionauthority.service.throttle;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One spelling per address, so "::1", "0:0::1" and "0000::0001" share one failure counter, and an
 * IPv4-mapped IPv6 address counts as its IPv4 address. IPv6 addresses count by their /64 network:
 * one host usually holds a whole /64, and could otherwise rotate through it for fresh budgets.
 */
final class ClientAddresses {

    private ClientAddresses() {
    }

    /** The canonical text of an address already checked to be an IP literal (SessionPolicy). */
    static String canonical(String literal) {
        try {
            // A literal never triggers a DNS lookup; the policy has rejected anything else.
            String text = literal.startsWith("[") && literal.endsWith("]") ? literal.substring(1, literal.length() - 1) : literal;
            InetAddress address = InetAddress.getByName(text);
            if (address instanceof java.net.Inet6Address) {
                byte[] network = java.util.Arrays.copyOf(address.getAddress(), 16);
                java.util.Arrays.fill(network, 8, 16, (byte) 0);
                return InetAddress.getByAddress(network).getHostAddress() + "/64";
            }
            return address.getHostAddress();
        } catch (UnknownHostException | SecurityException e) {
            return literal;
        }
    }
}
