package io.sessionauthority.service.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ConnectionAdmissionTest {

    private static final InetAddress ATTACKER = address("127.0.0.2");
    private static final InetAddress PROBE = address("127.0.0.1");

    private final java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    private final ConnectionAdmission admission = new ConnectionAdmission(new ConnectionAdmission.Limits(4, 2, 10, 5), now::get);

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private Channel connect(InetAddress from) {
        EmbeddedChannel channel = new EmbeddedChannel();
        ConnectionAdmission.Decision decision = admission.admit(channel, from);
        if (decision == ConnectionAdmission.Decision.REFUSED) {
            channel.close();
        } else {
            channel.closeFuture().addListener(closed -> admission.release(channel));
        }
        return channel;
    }

    @Test
    void oneAddressHoldsAtMostItsShareAndItsOwnOldestWaitingConnectionMakesRoom() {
        Channel first = connect(ATTACKER);
        Channel second = connect(ATTACKER);
        Channel third = connect(ATTACKER);
        assertThat(first.isOpen()).as("the oldest waiting one made room").isFalse();
        assertThat(second.isOpen()).isTrue();
        assertThat(third.isOpen()).isTrue();
        assertThat(admission.open()).isEqualTo(2);
        assertThat(admission.evicted()).isEqualTo(1);
    }

    @Test
    void aFullPortClosesTheLongestWaitingConnectionForANewOne() {
        List<Channel> idle = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            idle.add(connect(address("127.0.1." + i)));
        }
        admission.active(idle.get(0)); // a client that spoke: never closed to make room
        Channel probe = connect(PROBE);
        assertThat(probe.isOpen()).isTrue();
        assertThat(idle.get(0).isOpen()).isTrue();
        assertThat(idle.get(1).isOpen()).as("the longest waiting").isFalse();
        assertThat(admission.open()).isEqualTo(4);
    }

    @Test
    void aConnectionWaitingAgainGoesToTheBackOfTheLine() {
        Channel a = connect(address("127.0.1.1"));
        Channel b = connect(address("127.0.1.2"));
        connect(address("127.0.1.3"));
        connect(address("127.0.1.4"));
        admission.active(a);
        admission.waiting(a); // answered; waits for its next request, newest in line
        connect(PROBE);
        assertThat(a.isOpen()).isTrue();
        assertThat(b.isOpen()).isFalse();
    }

    @Test
    void whenEveryConnectionIsActiveTheNewOneIsRefused() {
        for (int i = 1; i <= 4; i++) {
            admission.active(connect(address("127.0.1." + i)));
        }
        Channel refused = connect(PROBE);
        assertThat(refused.isOpen()).isFalse();
        assertThat(admission.refused()).isEqualTo(1);
        assertThat(admission.open()).isEqualTo(4);
    }

    @Test
    void closedConnectionsFreeTheirSlotsOnceEvenWhenEvicted() {
        Channel a = connect(ATTACKER);
        connect(ATTACKER);
        connect(ATTACKER); // evicts a, whose close listener then runs
        a.close();
        assertThat(admission.open()).isEqualTo(2);
        connect(PROBE).close();
        assertThat(admission.open()).isEqualTo(2);
    }

    @Test
    void anAddressOpeningConnectionsFasterThanItsRateIsRefusedWhileOthersGetIn() {
        for (int i = 0; i < 5; i++) {
            connect(ATTACKER).close();
        }
        Channel tooFast = connect(ATTACKER);
        assertThat(tooFast.isOpen()).isFalse();
        assertThat(admission.refused()).isEqualTo(1);
        assertThat(connect(PROBE).isOpen()).isTrue();
        now.addAndGet(java.time.Duration.ofMillis(100).toNanos()); // one more a tenth of a second later
        assertThat(connect(ATTACKER).isOpen()).isTrue();
    }

    @Test
    void aPenalizedAddressLosesItsConnectionsAndGetsNoNewOneUntilThePenaltyEnds() {
        Channel first = connect(ATTACKER);
        admission.active(first);
        Channel probe = connect(PROBE);
        assertThat(admission.penalize(ATTACKER, java.time.Duration.ofSeconds(30))).isTrue();
        assertThat(admission.penalize(ATTACKER, java.time.Duration.ofSeconds(30))).as("already penalized").isFalse();
        assertThat(first.isOpen()).isFalse();
        assertThat(probe.isOpen()).isTrue();
        assertThat(connect(ATTACKER).isOpen()).isFalse();
        now.addAndGet(java.time.Duration.ofSeconds(31).toNanos());
        assertThat(connect(ATTACKER).isOpen()).isTrue();
        assertThat(admission.open()).isEqualTo(2);
    }
}
