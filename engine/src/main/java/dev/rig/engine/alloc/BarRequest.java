package dev.rig.engine.alloc;

/**
 * A memory BAR that needs guest address space.
 *
 * @param deviceId which device, as the user named it (shown in errors)
 * @param barIndex 0 to 5; a 64-bit BAR occupies two registers, so it is 0 to 4; {@link #ROM_INDEX} (6) is the
 *     expansion ROM, which the guest places like a 32-bit memory BAR
 * @param size the BAR size from the device, a power of two
 * @param is64Bit a 64-bit BAR goes into the 64-bit aperture, a 32-bit one into the 32-bit aperture
 * @param prefetchable recorded for the guest's benefit; it does not change where the BAR goes,
 *     since Rig's root buses have no bridge windows that would separate the two
 * @param segment the PCI segment the device sits on
 */
public record BarRequest(String deviceId, int barIndex, long size, boolean is64Bit, boolean prefetchable,
                         int segment) {

    /** Memory BARs get at least a page so that each can be mapped (and passed through) on its own. */
    public static final long MIN_MEMORY_BAR_SIZE = 4 * Sizes.KiB;
    /** The expansion ROM's index, as VFIO numbers its region (VFIO_PCI_ROM_REGION_INDEX). */
    public static final int ROM_INDEX = 6;

    public BarRequest {
        String who = "BAR %d of %s".formatted(barIndex, deviceId);
        if (deviceId == null || deviceId.isBlank()) {
            throw new AllocationException.InvalidRequest("BAR request", "a device id is required");
        }
        if (barIndex < 0 || barIndex > (is64Bit ? 4 : ROM_INDEX)) {
            throw new AllocationException.InvalidRequest(who,
                    "index must be 0 to " + (is64Bit ? "4 for a 64-bit BAR" : "5, or 6 for the expansion ROM"));
        }
        if (!Sizes.isPowerOfTwo(size)) {
            throw new AllocationException.InvalidRequest(who, "size must be a power of two, got " + size);
        }
        if (!is64Bit && size > 2 * Sizes.GiB) {
            throw new AllocationException.InvalidRequest(who,
                    "a 32-bit BAR cannot be " + Sizes.format(size) + "; at most 2 GiB");
        }
        if (segment < 0) {
            throw new AllocationException.InvalidRequest(who, "segment must not be negative, got " + segment);
        }
    }

    public static BarRequest mem32(String deviceId, int barIndex, long size, int segment) {
        return new BarRequest(deviceId, barIndex, size, false, false, segment);
    }

    public static BarRequest mem64(String deviceId, int barIndex, long size, boolean prefetchable, int segment) {
        return new BarRequest(deviceId, barIndex, size, true, prefetchable, segment);
    }

    /** The size actually reserved, and also the alignment: the BAR size, but at least 4 KiB. */
    public long placementSize() {
        return Math.max(size, MIN_MEMORY_BAR_SIZE);
    }

    @Override
    public String toString() {
        return "%s BAR %d (%s, %s%s, segment %d)".formatted(deviceId, barIndex, Sizes.format(size),
                is64Bit ? "64-bit" : "32-bit", prefetchable ? ", prefetchable" : "", segment);
    }
}
