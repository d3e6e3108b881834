package dev.rig.engine.alloc;

/** Where a BAR went. {@code range} is {@link BarRequest#placementSize()} long and aligned to it. */
public record BarPlacement(BarRequest bar, AddressRange range) {

    @Override
    public String toString() {
        return bar.deviceId() + " BAR " + bar.barIndex() + " at " + range;
    }
}
