package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.sessionauthority.v1.ClientMetadata;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.Session;
import io.sessionauthority.v1.SessionEndReason;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The SDK's own types read the authority's messages faithfully, and never print a secret. */
@Tag("unit")
class ValueTypesTest {

    private static final Session SESSION = Session.newBuilder().setSessionId("s1").setUserId("u1").setUsername("alice")
            .setCreateTime(Timestamp.newBuilder().setSeconds(1_800_000_000).setNanos(5_000_000))
            .setExpireTime(Timestamp.newBuilder().setSeconds(1_800_043_200))
            .setIdleExpireTime(Timestamp.newBuilder().setSeconds(1_800_001_800))
            .setLastSeenTime(Timestamp.newBuilder().setSeconds(1_800_000_060))
            .setClient(ClientMetadata.newBuilder().setIpAddress("203.0.113.7").setDeviceName("iPhone"))
            .putAttributes("roles", "ADMIN").build();

    @Test
    void aSessionInfoReadsEveryFieldOfTheMessage() {
        SessionInfo session = SessionInfo.of(SESSION);
        assertThat(session.sessionId()).isEqualTo("s1");
        assertThat(session.userId()).isEqualTo("u1");
        assertThat(session.username()).isEqualTo("alice");
        assertThat(session.createdAt()).isEqualTo(Instant.ofEpochSecond(1_800_000_000, 5_000_000));
        assertThat(session.expiresAt()).isEqualTo(Instant.ofEpochSecond(1_800_043_200));
        assertThat(session.idleExpiresAt()).isEqualTo(Instant.ofEpochSecond(1_800_001_800));
        assertThat(session.lastSeenAt()).isEqualTo(Instant.ofEpochSecond(1_800_000_060));
        assertThat(session.client()).isEqualTo(new ClientInfo("203.0.113.7", "", "iPhone"));
        assertThat(session.attributes()).containsOnly(java.util.Map.entry("roles", "ADMIN"));
        assertThat(session.attribute("roles")).contains("ADMIN");
        assertThat(session.attribute("theme")).isEmpty();
        assertThat(session.proto()).isSameAs(SESSION);
        assertThat(session).isEqualTo(SessionInfo.of(SESSION.toBuilder().build())).hasSameHashCodeAs(SessionInfo.of(SESSION));
    }

    @Test
    void logsShowIdsButNeverTheTokenTheDeviceTokenOrPersonalData() {
        String token = "sat1_" + "S".repeat(64);
        LoginResult login = LoginResult.of(LoginResponse.newBuilder().setToken(token).setDeviceToken("satd1_secret")
                .setSession(SESSION).build());
        assertThat(login.token()).isEqualTo(token);
        assertThat(login.deviceToken()).isEqualTo("satd1_secret");
        assertThat(login.session().sessionId()).isEqualTo("s1");
        assertThat(login.toString()).contains("s1", "u1").doesNotContain(token, "satd1_secret", "203.0.113.7", "ADMIN");
        assertThat(ValidationResult.valid(login.session()).toString()).doesNotContain("203.0.113.7", "ADMIN");
    }

    @Test
    void clientInfoTurnsUnknownPartsIntoEmptyStringsBothWays() {
        assertThat(new ClientInfo(null, "curl/8", null)).isEqualTo(new ClientInfo("", "curl/8", ""));
        assertThat(ClientInfo.none().proto()).isEqualTo(ClientMetadata.getDefaultInstance());
        ClientInfo phone = new ClientInfo("198.51.100.1", "Mozilla/5.0 (iPhone)", "iPhone");
        assertThat(ClientInfo.of(phone.proto())).isEqualTo(phone);
    }

    @Test
    void everyEndReasonTheContractKnowsHasItsOwnValueAndNewerOnesAreOther() {
        for (SessionEndReason reason : SessionEndReason.values()) {
            ValidationResult.EndReason mapped = ValidationResult.EndReason.of(reason);
            if (reason == SessionEndReason.UNRECOGNIZED) {
                assertThat(mapped).isEqualTo(ValidationResult.EndReason.OTHER);
            } else if (reason == SessionEndReason.SESSION_END_REASON_UNSPECIFIED) {
                assertThat(mapped).isEqualTo(ValidationResult.EndReason.NONE);
            } else {
                assertThat(mapped.name()).as("the SDK's name for %s", reason).isEqualTo(reason.name().replace("SESSION_END_REASON_", ""));
            }
        }
    }
}
