package dev.rig.engine.spi;

import dev.rig.engine.model.VmSpec;

import java.util.List;

/** A validated VM with its resources allocated: what a backend realizes. */
public record VmPlan(VmSpec spec, List<RamRange> ram) {
    /** A range of guest RAM at a guest physical address. */
    public record RamRange(long start, long size) {}

    public VmPlan {
        ram = List.copyOf(ram);
    }
}
