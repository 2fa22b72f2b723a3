package io.sessionauthority.spring;

/** The body of every answer this starter writes itself, servlet or reactive; no servlet type here. */
final class JsonError {

    private JsonError() {
    }

    /** {@code {"error":"<code>"}}; {@code code} is a fixed ASCII word, never input. */
    static String body(String code) {
        return "{\"error\":\"" + code + "\"}";
    }
}
