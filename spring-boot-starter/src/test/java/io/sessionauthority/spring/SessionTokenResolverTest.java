package io.sessionauthority.spring;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

@Tag("unit")
class SessionTokenResolverTest {

    private final SessionTokenResolver resolver = new SessionTokenResolver("session_id");

    @Test
    void bearerSchemeInAnyCase() {
        assertThat(resolver.resolve(request("Bearer abc", null))).isEqualTo("abc");
        assertThat(resolver.resolve(request("bearer abc", null))).isEqualTo("abc");
        assertThat(resolver.resolve(request("BEARER  abc ", null))).isEqualTo("abc");
    }

    @Test
    void cookieWhenThereIsNoBearerHeader() {
        assertThat(resolver.resolve(request(null, "from-cookie"))).isEqualTo("from-cookie");
        assertThat(resolver.resolve(request("Basic dXNlcjpwYXNz", "from-cookie"))).isEqualTo("from-cookie");
    }

    @Test
    void bearerHeaderWinsOverTheCookie() {
        assertThat(resolver.resolve(request("Bearer from-header", "from-cookie"))).isEqualTo("from-header");
        // An empty Bearer header is no token at all, not a reason to fall back to the cookie.
        assertThat(resolver.resolve(request("Bearer ", "from-cookie"))).isNull();
    }

    @Test
    void nothingToRead() {
        assertThat(resolver.resolve(request(null, null))).isNull();
        assertThat(resolver.resolve(request("Bearer", null))).isNull();
        assertThat(new SessionTokenResolver("").resolve(request(null, "from-cookie"))).isNull();
    }

    private static MockHttpServletRequest request(String authorization, String cookie) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/me");
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        if (cookie != null) {
            request.setCookies(new Cookie("session_id", cookie));
        }
        return request;
    }
}
