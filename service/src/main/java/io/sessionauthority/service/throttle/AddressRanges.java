package io.sessionauthority.service.throttle;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * A list of address ranges in CIDR notation ({@code 100.64.0.0/10}, {@code fd00::/8}, or a single
 * address), and whether an address falls in one. Each range is checked with {@link ClientAddresses}
 * first, so only literals are accepted and nothing is ever resolved over DNS.
 */
public final class AddressRanges {

    private record Range(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[whole] & mask) == (network[whole] & mask);
        }
    }

    private final List<Range> ranges;

    private AddressRanges(List<Range> ranges) {
        this.ranges = ranges;
    }

    /**
     * Parses {@code cidrs}, naming {@code setting} in the error when one is not an address or range.
     *
     * @throws IllegalArgumentException at start-up, for a malformed range
     */
    public static AddressRanges parse(String setting, List<String> cidrs) {
        return new AddressRanges(cidrs.stream().filter(cidr -> !cidr.isBlank()).map(cidr -> range(setting, cidr.trim())).toList());
    }

    private static Range range(String setting, String cidr) {
        String[] parts = cidr.split("/", -1);
        try {
            byte[] network = bytes(ClientAddresses.parse(setting, parts[0]));
            int bits = parts.length == 1 ? network.length * 8 : Integer.parseInt(parts[1]);
            if (parts.length > 2 || bits < 0 || bits > network.length * 8) {
                throw new IllegalArgumentException("prefix length out of range");
            }
            return new Range(network, bits);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(setting + ": '" + cidr + "' is not an address or CIDR range (100.64.0.0/10, fd00::/8)", e);
        }
    }

    /** Whether {@code canonicalAddress} (from {@link ClientAddresses#parse}) lies in one of the ranges. */
    public boolean contains(String canonicalAddress) {
        if (ranges.isEmpty()) {
            return false;
        }
        byte[] address = bytes(canonicalAddress);
        return ranges.stream().anyMatch(range -> range.contains(address));
    }

    /** Whether {@code address} lies in one of the ranges. */
    public boolean contains(InetAddress address) {
        byte[] raw = address.getAddress();
        return ranges.stream().anyMatch(range -> range.contains(raw));
    }

    private static byte[] bytes(String canonicalLiteral) {
        try {
            return InetAddress.getByName(canonicalLiteral).getAddress(); // a literal already checked: never resolved
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
