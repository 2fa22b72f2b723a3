package io.sessionauthority.service.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Optional;
import javax.management.Notification;
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

    @Test
    void onlyG1sIdleCollectionTrimsTheNativeHeap() {
        assertThat(IdleMemoryReturn.isIdleCollection(collection(IdleMemoryReturn.PERIODIC_COLLECTION_CAUSE))).isTrue();
        assertThat(IdleMemoryReturn.isIdleCollection(collection("G1 Evacuation Pause"))).isFalse();
        assertThat(IdleMemoryReturn.isIdleCollection(new Notification("jmx.attribute.change", "collector", 1))).isFalse();
    }

    /** HotSpot's own notification of a collection with {@code cause}, as a collector's MXBean sends it. */
    private static Notification collection(String cause) {
        Notification notification = new Notification(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION, "collector", 1);
        GcInfo info = ManagementFactory.getPlatformMXBeans(com.sun.management.GarbageCollectorMXBean.class).stream()
                .map(com.sun.management.GarbageCollectorMXBean::getLastGcInfo).filter(java.util.Objects::nonNull).findFirst()
                .orElseGet(() -> {
                    System.gc();
                    return ManagementFactory.getPlatformMXBeans(com.sun.management.GarbageCollectorMXBean.class).stream()
                            .map(com.sun.management.GarbageCollectorMXBean::getLastGcInfo).filter(java.util.Objects::nonNull)
                            .findFirst().orElseThrow();
                });
        notification.setUserData(new GarbageCollectionNotificationInfo("collector", "end of minor GC", cause, info).toCompositeData(null));
        return notification;
    }

    /** System.trim_native_heap came with 17.0.9 and 21: found exactly there, and it really runs. */
    @Test
    void aJvmThatCanTrimItsNativeHeapDoes() {
        Runtime.Version version = Runtime.version();
        boolean expected = version.feature() >= 21 || version.feature() == 17 && version.update() >= 9;
        assertThat(IdleMemoryReturn.canTrimNativeHeap()).as(version.toString()).isEqualTo(expected);
        if (expected) {
            assertThat(IdleMemoryReturn.trimNativeHeap()).contains("RSS");
        }
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
