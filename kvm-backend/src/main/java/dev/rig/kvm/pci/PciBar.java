package dev.rig.kvm.pci;

/**
 * One base address register of a function: its index (the 64-bit kind takes index and index+1; 6 is the
 * expansion ROM), size (a power of two) and kind. The guest address lives in the config space, emulated
 * ({@link PciConfigSpace#barAddress}) or virtualized over a passed-through device.
 */
public record PciBar(int index, long size, Kind kind, boolean prefetchable) {
    public enum Kind { IO, MEM32, MEM64, ROM }

    /** The expansion ROM's index, as VFIO numbers its region. */
    public static final int ROM_INDEX = 6;

    public PciBar {
        if (index < 0 || index > ROM_INDEX || (kind == Kind.MEM64 && index > 4) || ((kind == Kind.ROM) != (index == ROM_INDEX)))
            throw new IllegalArgumentException("BAR index out of range for a " + kind + " BAR: " + index);
        if (size <= 0 || Long.bitCount(size) != 1) throw new IllegalArgumentException("BAR size must be a power of two: " + size);
        if (kind == Kind.IO && (size < 4 || size > 256)) throw new IllegalArgumentException("I/O BAR size 4..256: " + size);
        if (kind != Kind.IO && size < 16) throw new IllegalArgumentException("memory BAR size at least 16: " + size);
        if (kind == Kind.MEM32 && size > 0x8000_0000L) throw new IllegalArgumentException("32-bit BAR too large: " + size);
        if ((kind == Kind.IO || kind == Kind.ROM) && prefetchable)
            throw new IllegalArgumentException(kind + " BARs are not prefetchable");
    }

    public static PciBar mem32(int index, long size) { return new PciBar(index, size, Kind.MEM32, false); }

    public static PciBar mem64(int index, long size, boolean prefetchable) { return new PciBar(index, size, Kind.MEM64, prefetchable); }

    public static PciBar io(int index, long size) { return new PciBar(index, size, Kind.IO, false); }

    public static PciBar rom(long size) { return new PciBar(ROM_INDEX, size, Kind.ROM, false); }

    /** The read-only type bits in the BAR's low dword. */
    int typeBits() {
        return switch (kind) {
            case IO -> 0x1;
            case MEM32 -> prefetchable ? 0x8 : 0x0;
            case MEM64 -> 0x4 | (prefetchable ? 0x8 : 0x0);
            case ROM -> 0x0;  // the ROM register's low bit is its enable, not a type
        };
    }

    public boolean isMemory() { return kind != Kind.IO; }

    @Override
    public String toString() {
        return String.format("%s %s%s 0x%x bytes", index == ROM_INDEX ? "ROM" : "BAR" + index, kind,
                prefetchable ? " prefetchable" : "", size);
    }
}
