package dev.rig.engine.spi;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counters from a run: exits that reached user space by kind, the time the vCPUs ran, and the PIO/MMIO exits each
 * emulated device took, by its id (a passed-through BAR that is mmapped takes none).
 */
public record RunStats(long pioExits, long mmioExits, long otherExits, long runNanos, Map<String, Long> exitsByDevice) {
    public static final RunStats NONE = new RunStats(0, 0, 0, 0);

    public RunStats {
        exitsByDevice = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(exitsByDevice));  // sorted by id
    }

    public RunStats(long pioExits, long mmioExits, long otherExits, long runNanos) {
        this(pioExits, mmioExits, otherExits, runNanos, Map.of());
    }

    public RunStats withExitsByDevice(Map<String, Long> byDevice) {
        return new RunStats(pioExits, mmioExits, otherExits, runNanos, byDevice);
    }

    public long exits() { return pioExits + mmioExits + otherExits; }

    public RunStats plus(RunStats o) {
        return new RunStats(pioExits + o.pioExits, mmioExits + o.mmioExits, otherExits + o.otherExits,
                Math.max(runNanos, o.runNanos), merge(exitsByDevice, o.exitsByDevice));
    }

    private static Map<String, Long> merge(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new TreeMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Long::sum));
        return out;
    }
}
