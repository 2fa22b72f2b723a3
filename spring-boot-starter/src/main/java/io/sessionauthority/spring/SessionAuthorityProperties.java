package io.sessionauthority.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the Session Authority client, under {@code session-authority.client}.
 *
 * <p>Only {@link #getTarget() target} is required. Transport security is TLS trusting the JVM's
 * default trust store unless {@code tls.ca} names other CAs, or {@code plaintext} is set (loopback,
 * a sidecar, or a mesh that encrypts for you).
 *
 * <pre>
 * session-authority.client.target=dns:///session-authority:50051
 * session-authority.client.tls.ca=/etc/session-authority/ca.pem
 * session-authority.client.api-key=${SESSION_AUTHORITY_API_KEY}
 * </pre>
 */
@ConfigurationProperties(SessionAuthorityProperties.PREFIX)
public class SessionAuthorityProperties {

    /** The prefix of every property of this class. */
    public static final String PREFIX = "session-authority.client";

    /** The authority's address: host:port, or dns:///name:port to balance over every address of a name. */
    private String target;

    /** No transport security. Only for loopback, a sidecar, or a mesh that encrypts for you. */
    private boolean plaintext = false;

    /** TLS settings; without tls.ca (and without plaintext) the JVM's default trust store is used. */
    private final Tls tls = new Tls();

    /** The API key sent as x-api-key on every call, when the authority authenticates its callers. */
    private String apiKey;

    /** The deadline of every Validate call. */
    private Duration deadline = Duration.ofMillis(250);

    /** How long the first connection may take, apart from the per-call deadline. */
    private Duration connectTimeout = Duration.ofSeconds(5);

    /**
     * Whether startup waits (up to connect-timeout) until the authority is connected, so that the
     * first request is served at once. Startup never fails on it: when the authority is not ready
     * in time a warning is logged and the application starts anyway.
     */
    private boolean awaitReadyOnStartup = true;

    /** The near-cache of positive Validate answers (off by default). */
    private final Cache cache = new Cache();

    /** The cookie the token is read from when a request has no Authorization: Bearer header; empty for none. */
    private String cookieName = "session_id";

    /**
     * Whether a token the authority says is due for rotation, and that came in the session cookie,
     * is exchanged, the new one handed back as a Set-Cookie (Bearer tokens: rotate-bearer-tokens).
     * Nothing is due unless the authority rotates automatically (its
     * session-authority.sessions.rotate-after).
     */
    private boolean rotateTokens = true;

    /**
     * Whether tokens that came in Authorization: Bearer are rotated too (with rotate-tokens), the new
     * one in a Session-Authority-Token response header: only for clients that read it, since one
     * that keeps sending the old token ends its session when the grace is over.
     */
    private boolean rotateBearerTokens = false;

    /**
     * The attributes of the Set-Cookie that hands a rotated token back to a browser: those the
     * login's cookie had (Domain, Path, Max-Age), or the browser keeps both cookies.
     */
    private String rotatedCookieAttributes = RotatedTokens.DEFAULT_COOKIE_ATTRIBUTES;

    /**
     * A session attribute whose comma-separated values become authorities ROLE_&lt;value&gt;, besides
     * ROLE_USER (e.g. "roles", holding "admin,support"); none by default. A SessionAuthoritiesMapper
     * bean replaces this rule.
     */
    private String authoritiesAttribute;

    /** The gRPC server interceptor bean (for applications that serve gRPC). */
    private final Interceptor interceptor = new Interceptor();

    public String getTarget() {
        return target;
    }

    public void setTarget(String target) {
        this.target = target;
    }

    public boolean isPlaintext() {
        return plaintext;
    }

    public void setPlaintext(boolean plaintext) {
        this.plaintext = plaintext;
    }

    public Tls getTls() {
        return tls;
    }

    public String getApiKey() {
        return apiKey;
    }

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    public Duration getDeadline() {
        return deadline;
    }

    public void setDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public boolean isAwaitReadyOnStartup() {
        return awaitReadyOnStartup;
    }

    public void setAwaitReadyOnStartup(boolean awaitReadyOnStartup) {
        this.awaitReadyOnStartup = awaitReadyOnStartup;
    }

    public Cache getCache() {
        return cache;
    }

    public String getAuthoritiesAttribute() {
        return authoritiesAttribute;
    }

    public void setAuthoritiesAttribute(String authoritiesAttribute) {
        this.authoritiesAttribute = authoritiesAttribute;
    }

    public String getRotatedCookieAttributes() {
        return rotatedCookieAttributes;
    }

    public void setRotatedCookieAttributes(String rotatedCookieAttributes) {
        this.rotatedCookieAttributes = rotatedCookieAttributes;
    }

    public boolean isRotateBearerTokens() {
        return rotateBearerTokens;
    }

    public void setRotateBearerTokens(boolean rotateBearerTokens) {
        this.rotateBearerTokens = rotateBearerTokens;
    }

    public boolean isRotateTokens() {
        return rotateTokens;
    }

    public void setRotateTokens(boolean rotateTokens) {
        this.rotateTokens = rotateTokens;
    }

    public String getCookieName() {
        return cookieName;
    }

    public void setCookieName(String cookieName) {
        this.cookieName = cookieName;
    }

    public Interceptor getInterceptor() {
        return interceptor;
    }

    /** TLS files, all PEM. */
    public static class Tls {

        /** The CA certificates to trust; absent: the JVM's default trust store. */
        private Path ca;

        /** This application's certificate chain, for mutual TLS (with key and ca). */
        private Path cert;

        /** This application's private key, for mutual TLS (with cert and ca). */
        private Path key;

        public Path getCa() {
            return ca;
        }

        public void setCa(Path ca) {
            this.ca = ca;
        }

        public Path getCert() {
            return cert;
        }

        public void setCert(Path cert) {
            this.cert = cert;
        }

        public Path getKey() {
            return key;
        }

        public void setKey(Path key) {
            this.key = key;
        }
    }

    /** The near-cache of positive Validate answers. */
    public static class Cache {

        /**
         * At most this many answers are kept; 0 turns the cache off. The SDK follows the authority's
         * revocation stream: a session revoked anywhere is dropped from the cache within milliseconds.
         */
        private int maxEntries = 0;

        /** How long a live answer is reused, never past its session's expiry (the SDK allows at most 24 h). */
        private Duration maxAge = Duration.ofSeconds(1);

        /**
         * Whether the cache follows the authority's revocation stream. Without it, answers live at
         * most degraded-max-age and a revoke elsewhere is seen only once they age out.
         */
        private boolean revocationStream = true;

        /** How long an answer is reused while the revocation stream is not healthy (at most 2 s; after 10 s of it, none). */
        private Duration degradedMaxAge = Duration.ofSeconds(1);

        /** How long a "not live" answer is reused; 0 turns negative caching off (at most 1 min). */
        private Duration negativeMaxAge = Duration.ofSeconds(5);

        /**
         * Slides sessions this application serves from the cache: one background Touch per session
         * per this interval, so cached validations keep sessions alive; 0 (the default) for none.
         */
        private Duration slideSessions = Duration.ZERO;

        public boolean isRevocationStream() {
            return revocationStream;
        }

        public void setRevocationStream(boolean revocationStream) {
            this.revocationStream = revocationStream;
        }

        public Duration getDegradedMaxAge() {
            return degradedMaxAge;
        }

        public void setDegradedMaxAge(Duration degradedMaxAge) {
            this.degradedMaxAge = degradedMaxAge;
        }

        public Duration getNegativeMaxAge() {
            return negativeMaxAge;
        }

        public void setNegativeMaxAge(Duration negativeMaxAge) {
            this.negativeMaxAge = negativeMaxAge;
        }

        public Duration getSlideSessions() {
            return slideSessions;
        }

        public void setSlideSessions(Duration slideSessions) {
            this.slideSessions = slideSessions;
        }

        public int getMaxEntries() {
            return maxEntries;
        }

        public void setMaxEntries(int maxEntries) {
            this.maxEntries = maxEntries;
        }

        public Duration getMaxAge() {
            return maxAge;
        }

        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }
    }

    /** Which gRPC methods the interceptor bean lets through without a session. */
    public static class Interceptor {

        /** Full method names (package.Service/Method) that need no session. */
        private List<String> exemptMethods = new ArrayList<>();

        /**
         * Full service names whose every method needs no session. Health checks by default:
         * probes carry no token.
         */
        private List<String> exemptServices = new ArrayList<>(List.of("grpc.health.v1.Health"));

        public List<String> getExemptMethods() {
            return exemptMethods;
        }

        public void setExemptMethods(List<String> exemptMethods) {
            this.exemptMethods = exemptMethods;
        }

        public List<String> getExemptServices() {
            return exemptServices;
        }

        public void setExemptServices(List<String> exemptServices) {
            this.exemptServices = exemptServices;
        }
    }
}
