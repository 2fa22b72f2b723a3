package io.sessionauthority.service.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Only a JVM whose memory nobody sized is changed, however it was sized. */
@Tag("unit")
class IdleMemoryReturnTest {

    private static Optional<VMOption> flag(String name, VMOption.Origin origin) {
        return Optional.of(new VMOption(name, "0", true, origin));
    }

    @Test
    void aJvmLeftToItsDefaultsIsUnsized() {
        assertThat(IdleMemoryReturn.unsized(name -> flag(name, name.equals("MaxHeapSize") ? VMOption.Origin.ERGONOMIC : VMOption.Origin.DEFAULT)))
                .isTrue();
    }

    @Test
    void anyFlagSetByTheOperatorLeavesTheJvmAlone() {
        for (String sizing : IdleMemoryReturn.SIZING_FLAGS) {
            for (VMOption.Origin origin : new VMOption.Origin[] {VMOption.Origin.VM_CREATION, VMOption.Origin.ENVIRON_VAR,
                    VMOption.Origin.CONFIG_FILE, VMOption.Origin.MANAGEMENT}) {
                Map<String, VMOption.Origin> set = Map.of(sizing, origin);
                assertThat(IdleMemoryReturn.unsized(name -> flag(name, set.getOrDefault(name, VMOption.Origin.DEFAULT))))
                        .as(sizing + " set by " + origin).isFalse();
            }
        }
    }

    @Test
    void aFlagThisJvmDoesNotHaveCountsAsUnset() {
        assertThat(IdleMemoryReturn.unsized(name -> name.equals("MaxRAMFraction") ? Optional.empty() : flag(name, VMOption.Origin.DEFAULT)))
                .isTrue();
    }

    /**
     * On this test JVM, which nobody sized (the build gives its forks no memory flags): the flags are
     * really changed, the minimum before the maximum (the other order is refused by HotSpot).
     */
    @Test
    void anUnsizedJvmGetsTheFlagsWhileRunning() {
        HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assertThat(hotSpot.getVMOption("MaxHeapSize").getOrigin()).as("this fork was started without -Xmx")
                .isIn(VMOption.Origin.DEFAULT, VMOption.Origin.ERGONOMIC);
        IdleMemoryReturn.applyIfUnsized();
        assertThat(hotSpot.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo(IdleMemoryReturn.MIN_FREE_PERCENT);
        assertThat(hotSpot.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo(IdleMemoryReturn.MAX_FREE_PERCENT);
        if ("true".equals(hotSpot.getVMOption("UseG1GC").getValue())) {
            assertThat(hotSpot.getVMOption("G1PeriodicGCInterval").getValue()).isEqualTo(IdleMemoryReturn.PERIODIC_COLLECTION_MILLIS);
        }
    }
}
