package dev.rig.vfio.pci;

/**
 * The MSI-X table and PBA as the guest sees them: the backend traps their ranges of the BAR and routes accesses
 * here. Entries start masked (as after reset). A message is reported when it takes effect: at unmask, or on a change
 * while unmasked; changes made while masked (what drivers do) are held until then.
 */
public final class MsixTable {
    private static final int ADDR_LO = 0, ADDR_HI = 4, DATA = 8, CONTROL = 12, MASK_BIT = 1;

    private final MsixLayout layout;
    private final ConfigSpaceListener listener;
    private final int[] words;          // 4 dwords per entry, as the guest wrote them
    private final MsiMessage[] reported;
    private final long[] pending;

    public MsixTable(MsixLayout layout, ConfigSpaceListener listener) {
        this.layout = layout;
        this.listener = listener;
        this.words = new int[layout.tableSize() * 4];
        this.reported = new MsiMessage[layout.tableSize()];
        this.pending = new long[(int) (layout.pbaBytes() / 8)];
        for (int v = 0; v < layout.tableSize(); v++) words[v * 4 + CONTROL / 4] = MASK_BIT;
    }

    public MsixLayout layout() { return layout; }

    /** A 4- or 8-byte read at offset within the table. */
    public synchronized long readTable(long offset, int width) {
        check(offset, width, layout.tableBytes());
        int i = (int) (offset / 4);
        long v = Integer.toUnsignedLong(words[i]);
        return width == 8 ? v | (long) words[i + 1] << 32 : v;
    }

    /** A 4- or 8-byte write at offset within the table; reports what takes effect. */
    public synchronized void writeTable(long offset, int width, long value) {
        check(offset, width, layout.tableBytes());
        int i = (int) (offset / 4);
        int vector = i / 4;
        boolean wasMasked = masked(vector);
        store(i, (int) value);
        if (width == 8) store(i + 1, (int) (value >>> 32));
        boolean nowMasked = masked(vector);
        MsiMessage message = message(vector);
        if (!nowMasked && !message.equals(reported[vector])) {
            reported[vector] = message;
            listener.msixVectorProgrammed(vector, message);
        }
        if (wasMasked != nowMasked) listener.msixVectorMasked(vector, nowMasked);
    }

    private void store(int word, int value) {
        // Vector Control: only the mask bit is defined; the rest reads 0. Data and address are free-form, but the
        // address is dword aligned.
        words[word] = switch ((word % 4) * 4) {
            case CONTROL -> value & MASK_BIT;
            case ADDR_LO -> value & ~0x3;
            default -> value;
        };
    }

    /** A 4- or 8-byte read of the pending bit array. */
    public synchronized long readPba(long offset, int width) {
        check(offset, width, layout.pbaBytes());
        long q = pending[(int) (offset / 8)];
        return width == 8 ? q : (q >>> (8 * (offset % 8))) & 0xffffffffL;
    }

    /** The backend records a vector that fired while masked; the guest sees it in the PBA. */
    public synchronized void setPending(int vector, boolean isPending) {
        checkVector(vector);
        if (isPending) pending[vector / 64] |= 1L << (vector % 64);
        else pending[vector / 64] &= ~(1L << (vector % 64));
    }

    public synchronized MsiMessage message(int vector) {
        checkVector(vector);
        int b = vector * 4;
        return new MsiMessage(Integer.toUnsignedLong(words[b]) | (long) words[b + 1] << 32, words[b + 2]);
    }

    public synchronized boolean masked(int vector) {
        checkVector(vector);
        return (words[vector * 4 + CONTROL / 4] & MASK_BIT) != 0;
    }

    private void checkVector(int vector) {
        if (vector < 0 || vector >= layout.tableSize())
            throw new IllegalArgumentException("MSI-X vector " + vector + " of " + layout.tableSize());
    }

    private static void check(long offset, int width, long limit) {
        if ((width != 4 && width != 8) || offset % width != 0 || offset < 0 || offset + width > limit)
            throw new IllegalArgumentException(String.format("MSI-X access of %d bytes at 0x%x: must be 4 or 8 bytes, "
                    + "naturally aligned, within 0x%x", width, offset, limit));
    }
}
