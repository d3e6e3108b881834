package dev.rig.engine.spi;

import dev.rig.engine.graph.DeviceGraph;
import dev.rig.engine.model.VmSpec;

import java.util.List;

/** A validated VM with its resources allocated: what a backend realizes. */
public record VmPlan(VmSpec spec, DeviceGraph graph) {
    /** A range of guest RAM at a guest physical address. */
    public record RamRange(long start, long size) {}

    public List<RamRange> ram() {
        return graph.memory().ram().stream().map(r -> new RamRange(r.start(), r.size())).toList();
    }
}
