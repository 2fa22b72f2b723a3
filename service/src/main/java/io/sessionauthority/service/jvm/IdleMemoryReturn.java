package io.sessionauthority.service.jvm;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.management.JMException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives memory back after a burst when nobody sized the JVM. A plain {@code java -jar} gets a heap
 * ceiling of a quarter of the machine and a collector that keeps what it once grew to: after 25 s of
 * Validate load it held 492 MiB and still did a minute later, for a service whose live heap is about
 * 20 MiB. Three of HotSpot's flags can be changed while it runs: a collection when the heap has been
 * idle for 5 s (G1's periodic collection), and a heap that shrinks to within 20 % of what is live.
 * With them the same run fell back to 190 MiB within 30 s.
 *
 * <p>The C library keeps what the JVM freed outside the heap (the JIT's and Netty's scratch memory)
 * for reuse: after the same load, 34 MiB of the 202 MiB resident was such free memory. So right
 * after each of G1's idle collections (which only come when the service has been idle), the native
 * heap is trimmed too, as {@code jcmd <pid> System.trim_native_heap} would.
 *
 * <p>Anyone who sized the heap or set these flags (on the command line, in {@code JAVA_TOOL_OPTIONS},
 * as the image does) has decided: nothing is changed then.
 */
public final class IdleMemoryReturn {

    private static final Logger LOG = LoggerFactory.getLogger(IdleMemoryReturn.class);
    /** Flags whose being set means someone sized this JVM's memory. */
    static final List<String> SIZING_FLAGS = List.of("MaxHeapSize", "MaxRAM", "MaxRAMPercentage", "MaxRAMFraction",
            "MinHeapFreeRatio", "MaxHeapFreeRatio", "G1PeriodicGCInterval");
    static final String PERIODIC_COLLECTION_MILLIS = "5000";
    static final String MIN_FREE_PERCENT = "5";
    static final String MAX_FREE_PERCENT = "20";
    /** The cause HotSpot gives G1's idle collection, in its collection notifications. */
    static final String PERIODIC_COLLECTION_CAUSE = "G1 Periodic Collection";
    private static final String DIAGNOSTIC_COMMANDS = "com.sun.management:type=DiagnosticCommand";
    /** {@code System.trim_native_heap} as the diagnostic-command MBean names it (JDK 17.0.9 and later). */
    private static final String TRIM_NATIVE_HEAP = "systemTrimNativeHeap";

    private IdleMemoryReturn() {
    }

    /** Applies the flags if this JVM's memory was left to its defaults; says in the log what it did. */
    public static void applyIfUnsized() {
        HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (hotSpot == null || !unsized(name -> option(hotSpot, name))) {
            return;
        }
        try {
            // The minimum first: each is checked against the other's current value (40 and 70).
            hotSpot.setVMOption("MinHeapFreeRatio", MIN_FREE_PERCENT);
            hotSpot.setVMOption("MaxHeapFreeRatio", MAX_FREE_PERCENT);
            if ("true".equals(option(hotSpot, "UseG1GC").map(VMOption::getValue).orElse("false"))) {
                hotSpot.setVMOption("G1PeriodicGCInterval", PERIODIC_COLLECTION_MILLIS);
                trimNativeHeapAfterIdleCollections();
            }
            LOG.info("The JVM's memory was left to its defaults: the heap gives back what it does not use after a burst "
                    + "(a collection after {} ms idle, at most {} % of the heap free, then the C library's free memory). Size the JVM (e.g. -Xmx64m) to decide otherwise.",
                    PERIODIC_COLLECTION_MILLIS, MAX_FREE_PERCENT);
        } catch (IllegalArgumentException | UnsupportedOperationException notManageable) {
            LOG.info("The JVM's memory was left to its defaults and this JVM cannot change it while running: {}",
                    notManageable.getMessage());
        }
    }

    private static void trimNativeHeapAfterIdleCollections() {
        if (!canTrimNativeHeap()) {
            LOG.debug("This JVM has no System.trim_native_heap: only the heap is given back");
            return;
        }
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (isIdleCollection(notification)) {
                        trimNativeHeap();
                    }
                }, null, null);
            }
        }
    }

    static boolean isIdleCollection(Notification notification) {
        return GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())
                && notification.getUserData() instanceof CompositeData data
                && PERIODIC_COLLECTION_CAUSE.equals(GarbageCollectionNotificationInfo.from(data).getGcCause());
    }

    static boolean canTrimNativeHeap() {
        try {
            return java.util.Arrays.stream(ManagementFactory.getPlatformMBeanServer().getMBeanInfo(new ObjectName(DIAGNOSTIC_COMMANDS))
                    .getOperations()).anyMatch(operation -> operation.getName().equals(TRIM_NATIVE_HEAP));
        } catch (JMException unavailable) {
            return false;
        }
    }

    /** Gives the C library's free memory back to the system; answers what HotSpot reported, e.g. "RSS+Swap: 202M->168M". */
    static String trimNativeHeap() {
        try {
            Object report = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName(DIAGNOSTIC_COMMANDS), TRIM_NATIVE_HEAP,
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            LOG.debug("After an idle collection: {}", report);
            return String.valueOf(report).trim();
        } catch (JMException failed) {
            LOG.debug("Trimming the native heap failed: {}", failed.toString());
            return "";
        }
    }

    /** Whether none of {@link #SIZING_FLAGS} was set by anyone: each is at its default or the JVM's own choice. */
    static boolean unsized(Function<String, Optional<VMOption>> options) {
        return SIZING_FLAGS.stream().map(options).flatMap(Optional::stream)
                .allMatch(option -> option.getOrigin() == VMOption.Origin.DEFAULT || option.getOrigin() == VMOption.Origin.ERGONOMIC);
    }

    private static Optional<VMOption> option(HotSpotDiagnosticMXBean hotSpot, String name) {
        try {
            return Optional.of(hotSpot.getVMOption(name));
        } catch (IllegalArgumentException noSuchFlag) {
            return Optional.empty(); // another JVM, or a flag this version does not have
        }
    }
}
