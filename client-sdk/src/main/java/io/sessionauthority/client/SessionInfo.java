package io.sessionauthority.client;

import com.google.protobuf.Timestamp;
import io.sessionauthority.v1.Session;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A live session as the SDK hands it out: who it belongs to, when it ends, the client it was made
 * from and its attributes. It never holds the token. A view of the authority's
 * {@code sessionauthority.v1.Session} message, which {@link #proto()} returns for those who want the
 * wire type (to forward it, or to read a field this SDK version does not know yet).
 */
public final class SessionInfo {

    private final Session proto;

    private SessionInfo(Session proto) {
        this.proto = proto;
    }

    /** A view of the authority's message. */
    public static SessionInfo of(Session proto) {
        return new SessionInfo(Objects.requireNonNull(proto, "proto"));
    }

    /** The session's id: names it in {@code revokeSession} and in audit logs, unlike the token. */
    public String sessionId() {
        return proto.getSessionId();
    }

    /** The id of the user the session belongs to; stable across username changes. */
    public String userId() {
        return proto.getUserId();
    }

    /** The user's normalized username. */
    public String username() {
        return proto.getUsername();
    }

    /** When the session was created (at login). */
    public Instant createdAt() {
        return instant(proto.getCreateTime());
    }

    /** When the session ends however active it is (its absolute expiry). */
    public Instant expiresAt() {
        return instant(proto.getExpireTime());
    }

    /** When the session ends unless it is used again (its idle expiry, slid by activity). */
    public Instant idleExpiresAt() {
        return instant(proto.getIdleExpireTime());
    }

    /** When the session was last recorded as active. */
    public Instant lastSeenAt() {
        return instant(proto.getLastSeenTime());
    }

    /** The client the session was made from, as the login reported it. */
    public ClientInfo client() {
        return ClientInfo.of(proto.getClient());
    }

    /** The session's attributes (set at login and by Touch), unmodifiable. */
    public Map<String, String> attributes() {
        return proto.getAttributesMap();
    }

    /** One attribute, when the session has it. */
    public Optional<String> attribute(String name) {
        return Optional.ofNullable(proto.getAttributesOrDefault(Objects.requireNonNull(name, "name"), null));
    }

    /**
     * How strongly the user was authenticated: 1 (a password), 2 (a password and a second factor),
     * 0 while a login awaits its second factor (never handed out as a live session).
     */
    public int assuranceLevel() {
        return switch (proto.getAal()) {
            case ASSURANCE_LEVEL_AAL1 -> 1;
            case ASSURANCE_LEVEL_AAL2 -> 2;
            // An authority older than assurance levels: every session was a password login.
            default -> proto.hasAuthTime() ? 0 : 1;
        };
    }

    /** When the user last authenticated in this session: its login, or its latest step-up. */
    public Instant authenticatedAt() {
        return proto.hasAuthTime() ? instant(proto.getAuthTime()) : createdAt();
    }

    /** How the user authenticated (RFC 8176): {@code pwd}, then {@code otp} after a second factor. */
    public java.util.List<String> authenticationMethods() {
        return proto.getAmrCount() == 0 ? java.util.List.of("pwd") : proto.getAmrList();
    }

    /** The authority's message itself. */
    public Session proto() {
        return proto;
    }

    private static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SessionInfo that && proto.equals(that.proto);
    }

    @Override
    public int hashCode() {
        return proto.hashCode();
    }

    /** Ids only: attributes and the client's address may be personal data, kept out of logs. */
    @Override
    public String toString() {
        return "SessionInfo[session=" + sessionId() + ", user=" + userId() + "]";
    }
}
