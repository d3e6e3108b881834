package dev.rig.vfio.pci;

/**
 * Where a device's MSI-X table and PBA live, from its MSI-X capability: each in a BAR (BIR) at an offset. The
 * backend traps these ranges (see {@link MsixTable}) and maps the rest of the BAR.
 */
public record MsixLayout(int tableSize, int tableBar, long tableOffset, int pbaBar, long pbaOffset) {
    public static final int ENTRY_BYTES = 16;

    public long tableBytes() { return (long) tableSize * ENTRY_BYTES; }

    /** One pending bit per vector, in whole qwords. */
    public long pbaBytes() { return Math.ceilDiv(tableSize, 64) * 8L; }
}
