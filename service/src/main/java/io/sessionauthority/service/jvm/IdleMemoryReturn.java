package io.sessionauthority.service.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
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
            }
            LOG.info("The JVM's memory was left to its defaults: the heap gives back what it does not use after a burst "
                    + "(a collection after {} ms idle, at most {} % of the heap free). Size the JVM (e.g. -Xmx64m) to decide otherwise.",
                    PERIODIC_COLLECTION_MILLIS, MAX_FREE_PERCENT);
        } catch (IllegalArgumentException | UnsupportedOperationException notManageable) {
            LOG.info("The JVM's memory was left to its defaults and this JVM cannot change it while running: {}",
                    notManageable.getMessage());
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
