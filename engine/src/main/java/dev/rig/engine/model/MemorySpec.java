package dev.rig.engine.model;

import java.util.Optional;

/** Guest RAM: its size, whether it comes from huge pages (and which size), and whether it is touched up front. */
public record MemorySpec(MemorySize size, boolean hugepages, Optional<MemorySize> hugepageSize, boolean prefault) {
    public static MemorySpec of(MemorySize size) { return new MemorySpec(size, false, Optional.empty(), false); }
}
