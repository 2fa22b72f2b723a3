package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.revocation.EndReason;
import io.sessionauthority.service.session.ClientInfo;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.session.SessionCheck;
import io.sessionauthority.service.session.SessionStatus;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** An answer is reused only for the very session instance it was built from. */
@Tag("unit")
class HotAnswersTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private static Session session(String cart) {
        return new Session("sid", "uid", "alice", NOW, NOW.plusSeconds(3600), NOW.plusSeconds(600), NOW,
                new ClientInfo("192.0.2.1", "curl/8", "laptop"), Map.of("cart", cart));
    }

    @Test
    void theSameInstanceGetsTheSameAnswer() {
        HotAnswers answers = new HotAnswers();
        SessionCheck check = SessionCheck.live(session("1"));
        assertThat(answers.validateResponse(check, true)).isSameAs(answers.validateResponse(SessionCheck.live(check.session()), true))
                .isEqualTo(ProtoMapping.validateResponse(check));
    }

    @Test
    void anEqualButNewInstanceIsBuiltAfresh() {
        HotAnswers answers = new HotAnswers();
        var first = answers.validateResponse(SessionCheck.live(session("1")), true);
        var touched = answers.validateResponse(SessionCheck.live(session("2")), true);
        var equalCopy = answers.validateResponse(SessionCheck.live(session("2")), true);
        assertThat(touched.getSession().getAttributesMap()).containsEntry("cart", "2");
        assertThat(equalCopy).isNotSameAs(touched).isEqualTo(touched);
        assertThat(first.getSession().getAttributesMap()).containsEntry("cart", "1");
    }

    @Test
    void answersReadForACallerThatCachesAndEndedSessionsAreNotKept() {
        HotAnswers answers = new HotAnswers();
        SessionCheck check = SessionCheck.live(session("1"));
        assertThat(answers.validateResponse(check, false)).isNotSameAs(answers.validateResponse(check, false));
        SessionCheck revoked = SessionCheck.ended(SessionStatus.REVOKED, EndReason.LOGOUT);
        assertThat(answers.validateResponse(revoked, true).getValid()).isFalse();
        assertThat(answers.validateResponse(revoked, true)).isNotSameAs(answers.validateResponse(revoked, true));
    }
}
