package dev.rig.vfio.pci;

/**
 * One emulated BAR as the guest has placed it.
 *
 * @param index 0..5 for BARs (the lower index of a 64-bit pair), 6 for the expansion ROM
 * @param size in bytes, a power of two (from VFIO region info)
 * @param address the decoded base address the guest wrote (0 until it does)
 */
public record PciBar(int index, Kind kind, boolean prefetchable, long size, long address) {
    public enum Kind { MEMORY32, MEMORY64, IO, ROM }

    public static final int ROM_INDEX = 6;

    public boolean isMemory() { return kind != Kind.IO; }

    /** The config offset of the BAR register (the lower one of a 64-bit pair). */
    public int registerOffset() {
        return index == ROM_INDEX ? PciRegs.ROM_ADDRESS : PciRegs.BAR0 + 4 * index;
    }

    @Override
    public String toString() {
        return String.format("%s %s%s 0x%x bytes at 0x%x", index == ROM_INDEX ? "ROM" : "BAR" + index, kind,
                prefetchable ? " prefetchable" : "", size, address);
    }
}
