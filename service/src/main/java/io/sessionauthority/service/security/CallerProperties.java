package io.sessionauthority.service.security;

import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import java.util.List;

/**
 * One known caller ({@code session-authority.security.callers.<name>.*}): how it proves who it is,
 * and what it may do.
 *
 * <pre>
 * session-authority.security.callers:
 *   edge:
 *     api-key-sha256: [9f86d081…]          # SHA-256 (hex) of each API key it may present
 *     permissions: [login, validate]
 *   orders:
 *     tls-identities: [spiffe://example.org/ns/prod/sa/orders, CN=orders]
 *     permissions: [validate]
 *     max-open-streams: 2000               # optional: this caller's share of each stream method
 * </pre>
 */
@EachProperty("session-authority.security.callers")
public class CallerProperties {

    private final String name;
    private List<String> apiKeySha256 = List.of();
    private List<String> tlsIdentities = List.of();
    private List<Permission> permissions = List.of();
    private Integer maxOpenStreams;

    public CallerProperties(@Parameter String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    /** Lower-case hex SHA-256 digests of the API keys this caller may present; keys themselves are never configured. */
    public List<String> getApiKeySha256() {
        return apiKeySha256;
    }

    public void setApiKeySha256(List<String> apiKeySha256) {
        this.apiKeySha256 = List.copyOf(apiKeySha256);
    }

    /** Client-certificate identities: a URI SAN (SPIFFE id) or the subject DN (e.g. {@code CN=orders,O=Example}). */
    public List<String> getTlsIdentities() {
        return tlsIdentities;
    }

    public void setTlsIdentities(List<String> tlsIdentities) {
        this.tlsIdentities = List.copyOf(tlsIdentities);
    }

    public List<Permission> getPermissions() {
        return permissions;
    }

    public void setPermissions(List<Permission> permissions) {
        this.permissions = List.copyOf(permissions);
    }

    /**
     * This caller's share of each streaming method's open streams, in place of
     * {@code session-authority.quotas.streams-per-caller}; null: that default.
     */
    public Integer getMaxOpenStreams() {
        return maxOpenStreams;
    }

    public void setMaxOpenStreams(Integer maxOpenStreams) {
        if (maxOpenStreams != null && maxOpenStreams < 1) {
            throw new IllegalArgumentException("session-authority.security.callers." + name + ".max-open-streams must be at least 1");
        }
        this.maxOpenStreams = maxOpenStreams;
    }
}
