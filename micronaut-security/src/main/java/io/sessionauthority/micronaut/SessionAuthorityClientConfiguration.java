package io.sessionauthority.micronaut;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the Session Authority client, under {@code session-authority.client}, named as the
 * Spring Boot starter names them. Only {@code target} is required; TLS trusting the JVM's trust
 * store unless {@code tls-ca} names a CA file, or {@code plaintext}.
 */
@ConfigurationProperties(SessionAuthorityClientConfiguration.PREFIX)
public class SessionAuthorityClientConfiguration {

    /** The prefix of every setting. */
    public static final String PREFIX = "session-authority.client";

    private String target;
    private boolean plaintext;
    private Path tlsCa;
    private String apiKey;
    private Duration deadline = Duration.ofMillis(250);
    private int cacheMaxEntries;
    private Duration cacheMaxAge = Duration.ofSeconds(1);
    private String rolesAttribute;

    /** @return the authority's address: host:port, or dns:///name:port to balance over every address of a name */
    public String getTarget() {
        return target;
    }

    /** @param target the authority's address */
    public void setTarget(String target) {
        this.target = target;
    }

    /** @return whether there is no transport security (loopback, a sidecar, a mesh that encrypts) */
    public boolean isPlaintext() {
        return plaintext;
    }

    /** @param plaintext no transport security */
    public void setPlaintext(boolean plaintext) {
        this.plaintext = plaintext;
    }

    /** @return PEM CA certificates to trust instead of the JVM's trust store, or null */
    public Path getTlsCa() {
        return tlsCa;
    }

    /** @param tlsCa PEM CA certificates to trust */
    public void setTlsCa(Path tlsCa) {
        this.tlsCa = tlsCa;
    }

    /** @return the API key sent as x-api-key, or null */
    public String getApiKey() {
        return apiKey;
    }

    /** @param apiKey the API key sent as x-api-key */
    public void setApiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    /** @return the deadline of every Validate call */
    public Duration getDeadline() {
        return deadline;
    }

    /** @param deadline the deadline of every Validate call */
    public void setDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    /** @return how many answers the revocation-aware cache keeps; 0 (the default) for no cache */
    public int getCacheMaxEntries() {
        return cacheMaxEntries;
    }

    /** @param cacheMaxEntries how many answers the cache keeps; 0 for none */
    public void setCacheMaxEntries(int cacheMaxEntries) {
        this.cacheMaxEntries = cacheMaxEntries;
    }

    /** @return how long a live answer is reused, never past its session's expiry */
    public Duration getCacheMaxAge() {
        return cacheMaxAge;
    }

    /** @param cacheMaxAge how long a live answer is reused */
    public void setCacheMaxAge(Duration cacheMaxAge) {
        this.cacheMaxAge = cacheMaxAge;
    }

    /**
     * @return the session attribute whose comma-separated values are the authentication's roles (for
     *         {@code @Secured("ADMIN")}), or null for none
     */
    public String getRolesAttribute() {
        return rolesAttribute;
    }

    /** @param rolesAttribute the session attribute holding the roles */
    public void setRolesAttribute(String rolesAttribute) {
        this.rolesAttribute = rolesAttribute;
    }
}
