package io.sessionauthority.spring;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/** The small JSON bodies of the answers this starter writes itself (401, 403 and 503). */
final class JsonErrorResponses {

    private JsonErrorResponses() {
    }

    /** Writes {@code {"error":"<code>"}} with {@code status}; {@code code} is a fixed ASCII word, never input. */
    static void write(HttpServletResponse response, int status, String code) throws IOException {
        response.setStatus(status);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(JsonError.body(code));
        response.getWriter().flush();
    }
}
