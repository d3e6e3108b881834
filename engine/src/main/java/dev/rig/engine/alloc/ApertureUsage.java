package dev.rig.engine.alloc;

/** A snapshot of how full one allocator's region is, for error messages and {@code rig plan}. */
public record ApertureUsage(String name, AddressRange aperture, long usedBytes, long freeBytes,
                            long largestFreeBlock) {

    @Override
    public String toString() {
        return "%s %s: %s used, %s left (largest free block %s)".formatted(name, aperture,
                Sizes.format(usedBytes), Sizes.format(freeBytes), Sizes.format(largestFreeBlock));
    }
}
