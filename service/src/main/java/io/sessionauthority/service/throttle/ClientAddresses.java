package io.sessionauthority.service.throttle;

import io.sessionauthority.service.error.InvalidArgumentException;
import java.util.Arrays;

/**
 * Strict IP address literals, one spelling per address.
 *
 * <p>Failure counters are keyed by address, so every way of writing an address must give the same
 * key: "::1", "0:0::1" and "0000::0001" must not be three budgets. For the same reason an IPv6
 * address that only carries an IPv4 host (mapped, compatible, NAT64, 6to4, Teredo) is returned as
 * that IPv4 address. Hand-written rather than {@link java.net.InetAddress}, which accepts legacy
 * forms such as "1.2.3" and resolves, over DNS, whatever is not a literal.
 */
public final class ClientAddresses {

    /** The longest IPv6 text: six full groups and a dotted quad. */
    static final int MAX_LENGTH = 45;

    private ClientAddresses() {
    }

    /**
     * The canonical text of one IPv4 or IPv6 address literal: a dotted quad for IPv4 (and IPv6 that
     * embeds an IPv4 host), RFC 5952 text for other IPv6.
     *
     * @throws InvalidArgumentException naming {@code field} when {@code text} is anything else,
     *     including the empty string, brackets, ports, zone ids and surrounding whitespace
     */
    public static String parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw invalid(field, "empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw invalid(field, "longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                throw invalid(field, "zone ids are not accepted");
            }
            if (c == '[' || c == ']') {
                throw invalid(field, "no brackets or port, only the address");
            }
            if (hex(c) < 0 && c != ':' && c != '.') {
                throw invalid(field, String.format("unexpected character U+%04X at position %d", (int) c, i));
            }
        }
        if (text.indexOf(':') < 0) {
            return ipv4Text(ipv4(field, text));
        }
        int[] groups = ipv6(field, text);
        long embedded = embeddedIpv4(groups);
        return embedded >= 0 ? ipv4Text(embedded) : ipv6Text(groups);
    }

    /**
     * The throttle counter identity of an address from {@link #parse}: IPv4 as is, IPv6 as its /64
     * network (for example "2001:db8:1:2::/64"). One host usually holds a whole /64, and could
     * otherwise rotate through it for fresh budgets.
     */
    public static String counterKey(String canonical) {
        // Parsing again makes any valid spelling safe here, not only the canonical one.
        String address = parse("address", canonical);
        if (address.indexOf(':') < 0) {
            return address;
        }
        int[] groups = ipv6("address", address);
        Arrays.fill(groups, 4, 8, 0);
        return ipv6Text(groups) + "/64";
    }

    /** The 32-bit value of a strict dotted quad. */
    private static long ipv4(String field, String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw invalid(field, "an IPv4 address has exactly four decimal parts");
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw invalid(field, "IPv4 parts are decimal numbers from 0 to 255");
            }
            if (part.length() > 1 && part.charAt(0) == '0') {
                // Some parsers read "010" as octal 8, others as decimal 10: the same text, two addresses.
                throw invalid(field, "an IPv4 part has a leading zero");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw invalid(field, "an IPv4 part is over 255");
            }
            value = value << 8 | octet;
        }
        return value;
    }

    /** The eight 16-bit groups of an RFC 4291 text address. */
    private static int[] ipv6(String field, String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw invalid(field, "more than one '::'");
        }
        int[] front = groups(field, gap < 0 ? text : text.substring(0, gap), gap < 0);
        int[] back = gap < 0 ? new int[0] : groups(field, text.substring(gap + 2), true);
        int count = front.length + back.length;
        if (gap < 0 && count != 8) {
            throw invalid(field, "an IPv6 address without '::' has eight groups");
        }
        if (gap >= 0 && count > 7) {
            // "::" stands for at least one zero group.
            throw invalid(field, "too many groups around '::'");
        }
        int[] groups = new int[8];
        System.arraycopy(front, 0, groups, 0, front.length);
        System.arraycopy(back, 0, groups, 8 - back.length, back.length);
        return groups;
    }

    /** The groups of one side of '::' (or of the whole address); a dotted quad counts as two. */
    private static int[] groups(String field, String text, boolean endsAddress) {
        if (text.isEmpty()) {
            return new int[0];
        }
        String[] pieces = text.split(":", -1);
        int[] groups = new int[pieces.length + 1];
        int n = 0;
        for (int i = 0; i < pieces.length; i++) {
            String piece = pieces[i];
            if (piece.indexOf('.') >= 0) {
                if (!endsAddress || i != pieces.length - 1) {
                    throw invalid(field, "a dotted quad may only end an IPv6 address; ports are not accepted");
                }
                long ipv4 = ipv4(field, piece);
                groups[n++] = (int) (ipv4 >>> 16);
                groups[n++] = (int) (ipv4 & 0xffff);
            } else {
                groups[n++] = group(field, piece);
            }
        }
        return Arrays.copyOf(groups, n);
    }

    private static int group(String field, String piece) {
        if (piece.isEmpty()) {
            throw invalid(field, "an empty group, or a single ':' at the start or end");
        }
        if (piece.length() > 4) {
            throw invalid(field, "a group has more than four hex digits");
        }
        int value = 0;
        for (int i = 0; i < piece.length(); i++) {
            int digit = hex(piece.charAt(i));
            if (digit < 0) {
                throw invalid(field, "a group is not hexadecimal");
            }
            value = value << 4 | digit;
        }
        return value;
    }

    /**
     * The IPv4 host an IPv6 address stands for, or -1. Without this, one IPv4 client could reach us
     * under several IPv6 spellings, each with its own budget.
     */
    private static long embeddedIpv4(int[] g) {
        long low = (long) g[6] << 16 | g[7];
        if (zero(g, 0, 5) && g[5] == 0xffff) {
            return low; // ::ffff:0:0/96, IPv4-mapped
        }
        if (zero(g, 0, 6) && low > 1) {
            return low; // ::/96, IPv4-compatible (deprecated); "::" and "::1" are IPv6's own
        }
        if (g[0] == 0x64 && g[1] == 0xff9b && zero(g, 2, 6)) {
            return low; // 64:ff9b::/96, NAT64 well-known prefix
        }
        if (g[0] == 0x2002) {
            return (long) g[1] << 16 | g[2]; // 2002::/16, 6to4: the site's IPv4 follows the prefix
        }
        if (g[0] == 0x2001 && g[1] == 0) {
            return low ^ 0xffffffffL; // 2001::/32, Teredo: the client's IPv4 is stored inverted
        }
        return -1;
    }

    private static boolean zero(int[] groups, int from, int to) {
        for (int i = from; i < to; i++) {
            if (groups[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String ipv4Text(long value) {
        return (value >>> 24) + "." + (value >>> 16 & 0xff) + "." + (value >>> 8 & 0xff) + "." + (value & 0xff);
    }

    /** RFC 5952 section 4: lowercase, no leading zeros, the first longest run of two or more zero groups as '::'. */
    private static String ipv6Text(int[] groups) {
        int runStart = -1;
        int runLength = 1;
        for (int i = 0; i < 8; ) {
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > runLength) {
                runStart = i;
                runLength = end - i;
            }
            i = Math.max(end, i + 1);
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == runStart) {
                text.append("::");
                i += runLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** The value of an ASCII hex digit, or -1: Character.digit would also take other scripts' digits. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static InvalidArgumentException invalid(String field, String reason) {
        return new InvalidArgumentException(field, "is not an IP address (" + reason + ")");
    }
}
