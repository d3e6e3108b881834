package dev.rig.engine.alloc;

/** The address space one PCI segment owns: its share of 32-bit and 64-bit device space, and its ECAM slice. */
public record SegmentAperture(int segment, AddressRange mmio32, AddressRange mmio64, AddressRange ecam) {

    public SegmentAperture {
        if (segment < 0 || mmio32 == null || mmio64 == null || ecam == null) {
            throw new IllegalArgumentException("segment aperture needs a segment number >= 0 and three ranges");
        }
    }

    @Override
    public String toString() {
        return "segment %d: mmio32 %s, mmio64 %s, ECAM %s".formatted(segment, mmio32, mmio64, ecam);
    }
}
