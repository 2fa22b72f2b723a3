package io.sessionauthority.service.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code Cookie} request header: find one cookie, or drop it (so the token never travels upstream). */
final class CookieHeader {

    private CookieHeader() {
    }

    static Optional<String> value(String header, String name) {
        if (header == null) {
            return Optional.empty();
        }
        for (String pair : header.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                String value = pair.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** The header without cookie {@code name}; empty when nothing else is left. */
    static String without(String header, String name) {
        List<String> kept = new ArrayList<>();
        for (String pair : header.split(";")) {
            int eq = pair.indexOf('=');
            String cookie = eq > 0 ? pair.substring(0, eq).trim() : pair.trim();
            if (!cookie.equals(name) && !pair.isBlank()) {
                kept.add(pair.trim());
            }
        }
        return String.join("; ", kept);
    }
}
