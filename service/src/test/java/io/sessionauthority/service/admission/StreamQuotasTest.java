package io.sessionauthority.service.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class StreamQuotasTest {

    private static final String WATCH = "sessionauthority.v1.SessionAuthorityService/WatchRevocations";
    private static final String HEALTH = "grpc.health.v1.Health/Watch";

    private final StreamQuotas quotas = new StreamQuotas(6, caller -> Map.of("fleet", 5).getOrDefault(caller, 3), 2);

    private static InetAddress address(int host) {
        try {
            return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) host});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anAddressThenACallerThenTheMethodRunOutInThatOrder() {
        assertThat(quotas.open(WATCH, "reader", address(1)).granted()).isPresent();
        assertThat(quotas.open(WATCH, "reader", address(1)).granted()).isPresent();
        assertThat(quotas.open(WATCH, "reader", address(1)).refusal()).isEqualTo(StreamQuotas.Refusal.ADDRESS_SHARE_USED);
        assertThat(quotas.open(WATCH, "reader", address(2)).granted()).isPresent();
        assertThat(quotas.open(WATCH, "reader", address(3)).refusal()).isEqualTo(StreamQuotas.Refusal.CALLER_SHARE_USED);
        for (int host = 1; host <= 3; host++) {
            assertThat(quotas.open(WATCH, "other", address(host)).granted()).isPresent();
        }
        assertThat(quotas.open(WATCH, "third", address(9)).refusal()).isEqualTo(StreamQuotas.Refusal.SERVICE_FULL);
        assertThat(quotas.open(HEALTH, "third", address(9)).granted()).as("another method's streams are counted apart").isPresent();
    }

    @Test
    void aCallerConfiguredWithALargerShareGetsIt() {
        for (int host = 1; host <= 5; host++) {
            assertThat(quotas.open(WATCH, "fleet", address(host)).granted()).isPresent();
        }
        assertThat(quotas.open(WATCH, "fleet", address(6)).refusal()).isEqualTo(StreamQuotas.Refusal.CALLER_SHARE_USED);
    }

    @Test
    void aReleasedStreamGivesItsPlaceBackOnceHoweverOftenItIsReleased() {
        List<StreamQuotas.Lease> leases = new ArrayList<>();
        leases.add(quotas.open(WATCH, StreamQuotas.ANONYMOUS, address(1)).lease());
        leases.add(quotas.open(WATCH, StreamQuotas.ANONYMOUS, address(1)).lease());
        StreamQuotas.Lease first = leases.get(0);
        first.release();
        first.release();
        assertThat(quotas.open(WATCH)).isEqualTo(1);
        assertThat(quotas.open(WATCH, StreamQuotas.ANONYMOUS, address(1)).granted()).isPresent();
        assertThat(quotas.open(WATCH, StreamQuotas.ANONYMOUS, address(1)).refusal()).isEqualTo(StreamQuotas.Refusal.ADDRESS_SHARE_USED);
    }
}
