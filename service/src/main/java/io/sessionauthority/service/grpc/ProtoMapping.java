package io.sessionauthority.service.grpc;

import io.sessionauthority.service.session.Authentication;
import io.sessionauthority.service.session.Requirement;
import io.sessionauthority.v1.AssuranceLevel;
import io.sessionauthority.v1.StepUpRequired;
import com.google.protobuf.Timestamp;
import io.sessionauthority.service.revocation.EndReason;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.error.InvalidArgumentException;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.service.session.SessionLimit;
import io.sessionauthority.service.session.SessionLimitReachedException;
import io.sessionauthority.service.session.SessionStatus;
import io.sessionauthority.v1.ClientMetadata;
import io.sessionauthority.v1.InvalidReason;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.SessionLimitReached;
import io.sessionauthority.v1.SessionEndReason;
import io.sessionauthority.v1.TouchResponse;
import io.sessionauthority.v1.RefreshResponse;
import io.sessionauthority.v1.ValidateResponse;
import java.time.Instant;

/** Domain ⇄ proto translation; no rules live here. */
final class ProtoMapping {

    private ProtoMapping() {
    }

    static ClientInfo client(ClientMetadata metadata) {
        return new ClientInfo(metadata.getIpAddress(), metadata.getUserAgent(), metadata.getDeviceName());
    }

    static io.sessionauthority.v1.Session session(Session session) {
        return io.sessionauthority.v1.Session.newBuilder()
                .setSessionId(session.sessionId())
                .setUserId(session.userId())
                .setUsername(session.username())
                .setCreateTime(timestamp(session.createTime()))
                .setExpireTime(timestamp(session.expireTime()))
                .setIdleExpireTime(timestamp(session.idleExpireTime()))
                .setLastSeenTime(timestamp(session.lastSeenTime()))
                .setClient(ClientMetadata.newBuilder()
                        .setIpAddress(session.client().ipAddress())
                        .setUserAgent(session.client().userAgent())
                        .setDeviceName(session.client().deviceName()))
                .putAllAttributes(session.attributes())
                .setAuthTime(timestamp(session.authTime()))
                .addAllAmr(session.authentication().methods())
                .setAal(aal(session.authentication().level()))
                .build();
    }

    static AssuranceLevel aal(int level) {
        return switch (level) {
            case Authentication.AAL1 -> AssuranceLevel.ASSURANCE_LEVEL_AAL1;
            case Authentication.AAL2 -> AssuranceLevel.ASSURANCE_LEVEL_AAL2;
            default -> AssuranceLevel.ASSURANCE_LEVEL_UNSPECIFIED;
        };
    }

    /** What a Validate asks beyond a live session; an unknown level answers INVALID_ARGUMENT. */
    static Requirement requirement(AssuranceLevel minAal, int minAalNumber, boolean hasMaxAge, com.google.protobuf.Duration maxAge) {
        int level = switch (minAal) {
            case ASSURANCE_LEVEL_UNSPECIFIED, ASSURANCE_LEVEL_AAL1 -> Authentication.AAL1;
            case ASSURANCE_LEVEL_AAL2 -> Authentication.AAL2;
            case UNRECOGNIZED -> throw new InvalidArgumentException("min_aal", "is " + minAalNumber + ", which is no AssuranceLevel");
        };
        if (hasMaxAge && (maxAge.getSeconds() < 0 || maxAge.getNanos() < 0)) {
            throw new InvalidArgumentException("max_auth_age", "must not be negative");
        }
        java.time.Duration age = hasMaxAge ? java.time.Duration.ofSeconds(maxAge.getSeconds(), maxAge.getNanos()) : null;
        return level == Authentication.AAL1 && age == null ? Requirement.NONE : new Requirement(level, age);
    }

    static StepUpRequired stepUp(SessionCheck check) {
        Session session = check.session();
        StepUpRequired.Builder stepUp = StepUpRequired.newBuilder()
                .setRequiredAal(aal(check.unmet().minLevel()))
                .setAal(aal(session.authentication().level()))
                .setAuthTime(timestamp(session.authTime()))
                .setSecondFactorPending(session.authentication().pending());
        if (check.unmet().maxAuthAge() != null) {
            stepUp.setMaxAuthAge(com.google.protobuf.Duration.newBuilder().setSeconds(check.unmet().maxAuthAge().getSeconds())
                    .setNanos(check.unmet().maxAuthAge().getNano()));
        }
        return stepUp.build();
    }

    /** The caller's session-limit request of a login; an unknown policy number answers INVALID_ARGUMENT. */
    static SessionLimit.Requested sessionLimit(LoginRequest request) {
        java.util.Optional<SessionLimit.Policy> policy = switch (request.getSessionLimitPolicy()) {
            case SESSION_LIMIT_POLICY_UNSPECIFIED -> java.util.Optional.empty();
            case SESSION_LIMIT_POLICY_EVICT_LEAST_RECENT -> java.util.Optional.of(SessionLimit.Policy.EVICT_LEAST_RECENT);
            case SESSION_LIMIT_POLICY_DENY_NEW -> java.util.Optional.of(SessionLimit.Policy.DENY_NEW);
            case SESSION_LIMIT_POLICY_ONE_PER_DEVICE -> java.util.Optional.of(SessionLimit.Policy.ONE_PER_DEVICE);
            case UNRECOGNIZED -> throw new InvalidArgumentException("session_limit_policy",
                    "is " + request.getSessionLimitPolicyValue() + ", which is no SessionLimitPolicy");
        };
        return new SessionLimit.Requested(policy, Integer.toUnsignedLong(request.getMaxSessions()), request.getReplaceSessionId());
    }

    /** How many sessions a SessionLimitReached lists, how much of their client text, and its most bytes. */
    static final int LISTED_SESSIONS = 10;
    static final int LISTED_DEVICE_NAME = 48;
    static final int LISTED_USER_AGENT = 96;
    static final int LISTED_BYTES = 4_500;

    /**
     * The detail of a deny-new refusal. It travels in the status trailer, base64-encoded, which a
     * gRPC client reads only up to its header limit (8 KiB by default in grpc-java): past it the
     * caller would get a transport error instead of the refusal. So at most
     * {@value #LISTED_SESSIONS} sessions, without attributes or the user's id and name (the caller
     * knows whose login it was), their client text shortened, and fewer when their text is wide
     * (four bytes a character): never more than {@value #LISTED_BYTES} bytes, 6 KiB as base64.
     */
    static SessionLimitReached sessionLimitReached(SessionLimitReachedException refused) {
        SessionLimitReached.Builder detail = SessionLimitReached.newBuilder().setMaxSessions(refused.maxSessions());
        refused.liveSessions().stream().limit(LISTED_SESSIONS).forEach(live -> detail.addSessions(session(live).toBuilder()
                .clearAttributes()
                .clearUserId()
                .clearUsername()
                .setClient(ClientMetadata.newBuilder()
                        .setIpAddress(live.client().ipAddress())
                        .setDeviceName(shortened(live.client().deviceName(), LISTED_DEVICE_NAME))
                        .setUserAgent(shortened(live.client().userAgent(), LISTED_USER_AGENT)))));
        while (detail.getSessionsCount() > 1 && detail.build().getSerializedSize() > LISTED_BYTES) {
            detail.removeSessions(detail.getSessionsCount() - 1);
        }
        return detail.build();
    }

    /** {@code text} cut to at most {@code codePoints} characters, the last being "…" when cut; never within a surrogate pair. */
    static String shortened(String text, int codePoints) {
        return text.codePointCount(0, text.length()) <= codePoints ? text
                : text.substring(0, text.offsetByCodePoints(0, codePoints - 1)) + "…";
    }

    static ValidateResponse validateResponse(SessionCheck check) {
        ValidateResponse.Builder response = ValidateResponse.newBuilder()
                .setValid(check.isLive())
                .setReason(reason(check.status()));
        check.reason().ifPresent(why -> response.setEndReason(endReason(why)));
        if (check.isLive()) {
            response.setSession(session(check.session()));
        }
        if (check.status() == SessionStatus.STEP_UP_REQUIRED) {
            response.setStepUp(stepUp(check));
        }
        response.setRefreshDue(check.token().refreshDue());
        if (check.token().graceEnd() != null) {
            response.setTokenGraceEndTime(timestamp(check.token().graceEnd()));
        }
        return response.build();
    }

    static TouchResponse touchResponse(SessionCheck check) {
        TouchResponse.Builder response = TouchResponse.newBuilder()
                .setValid(check.isLive())
                .setReason(reason(check.status()));
        check.reason().ifPresent(why -> response.setEndReason(endReason(why)));
        if (check.isLive()) {
            response.setSession(session(check.session()));
        }
        response.setToken(check.token().newToken());
        if (check.token().graceEnd() != null) {
            response.setTokenGraceEndTime(timestamp(check.token().graceEnd()));
        }
        return response.build();
    }

    static RefreshResponse refreshResponse(SessionCheck check) {
        RefreshResponse.Builder response = RefreshResponse.newBuilder()
                .setValid(check.isLive())
                .setReason(reason(check.status()));
        check.reason().ifPresent(why -> response.setEndReason(endReason(why)));
        if (check.isLive()) {
            response.setSession(session(check.session()));
        }
        response.setToken(check.token().newToken());
        if (check.token().graceEnd() != null) {
            response.setPreviousTokenGraceEndTime(timestamp(check.token().graceEnd()));
        }
        return response.build();
    }

    static InvalidReason reason(SessionStatus status) {
        return switch (status) {
            case LIVE -> InvalidReason.INVALID_REASON_UNSPECIFIED;
            case UNKNOWN -> InvalidReason.INVALID_REASON_UNKNOWN;
            case EXPIRED -> InvalidReason.INVALID_REASON_EXPIRED;
            case REVOKED -> InvalidReason.INVALID_REASON_REVOKED;
            case STEP_UP_REQUIRED -> InvalidReason.INVALID_REASON_STEP_UP_REQUIRED;
        };
    }

    static SessionEndReason endReason(EndReason reason) {
        return switch (reason) {
            case LOGOUT -> SessionEndReason.SESSION_END_REASON_LOGOUT;
            case ADMIN_REVOKE -> SessionEndReason.SESSION_END_REASON_ADMIN_REVOKE;
            case REVOKE_ALL -> SessionEndReason.SESSION_END_REASON_REVOKE_ALL;
            case PASSWORD_CHANGE -> SessionEndReason.SESSION_END_REASON_PASSWORD_CHANGE;
            case SESSION_LIMIT -> SessionEndReason.SESSION_END_REASON_SESSION_LIMIT;
            case IDLE_EXPIRY -> SessionEndReason.SESSION_END_REASON_IDLE_EXPIRY;
            case ABSOLUTE_EXPIRY -> SessionEndReason.SESSION_END_REASON_ABSOLUTE_EXPIRY;
            case TOKEN_REUSE -> SessionEndReason.SESSION_END_REASON_TOKEN_REUSE;
            // Not ends: streamed as a SessionUpdate, never as a Revocation's reason.
            case TOKEN_ROTATED, STEPPED_UP -> SessionEndReason.SESSION_END_REASON_UNSPECIFIED;
        };
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
