package dev.rig.kvm.pci;

/**
 * One base address register of a function: its index (the 64-bit kind takes index and index+1), size (a power
 * of two) and kind. The guest address lives in the config space ({@link PciConfigSpace#barAddress}).
 */
public record PciBar(int index, long size, Kind kind, boolean prefetchable) {
    public enum Kind { IO, MEM32, MEM64 }

    public PciBar {
        if (index < 0 || index > 5 || (kind == Kind.MEM64 && index > 4))
            throw new IllegalArgumentException("BAR index out of range: " + index);
        if (size <= 0 || Long.bitCount(size) != 1) throw new IllegalArgumentException("BAR size must be a power of two: " + size);
        if (kind == Kind.IO && (size < 4 || size > 256)) throw new IllegalArgumentException("I/O BAR size 4..256: " + size);
        if (kind != Kind.IO && size < 16) throw new IllegalArgumentException("memory BAR size at least 16: " + size);
        if (kind == Kind.MEM32 && size > 0x8000_0000L) throw new IllegalArgumentException("32-bit BAR too large: " + size);
        if (kind == Kind.IO && prefetchable) throw new IllegalArgumentException("I/O BARs are not prefetchable");
    }

    public static PciBar mem32(int index, long size) { return new PciBar(index, size, Kind.MEM32, false); }

    public static PciBar mem64(int index, long size, boolean prefetchable) { return new PciBar(index, size, Kind.MEM64, prefetchable); }

    public static PciBar io(int index, long size) { return new PciBar(index, size, Kind.IO, false); }

    /** The read-only type bits in the BAR's low dword. */
    int typeBits() {
        return switch (kind) {
            case IO -> 0x1;
            case MEM32 -> prefetchable ? 0x8 : 0x0;
            case MEM64 -> 0x4 | (prefetchable ? 0x8 : 0x0);
        };
    }

    public boolean isMemory() { return kind != Kind.IO; }
}
