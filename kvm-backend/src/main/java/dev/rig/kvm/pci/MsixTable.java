package dev.rig.kvm.pci;

/**
 * MSI-X for an emulated function: the capability in config space, the vector table (16 bytes per entry:
 * address low, address high, data, control with bit 0 = masked) and the pending bit array, both living in a
 * BAR at the offsets given. A vector raised while masked (per entry, or by the function mask) sets its pending
 * bit and is delivered when unmasked, as the PCI spec requires.
 */
public final class MsixTable {
    public static final int CAP_ID = 0x11, ENTRY_SIZE = 16;
    public static final int NO_VECTOR = 0xffff;
    private static final int CONTROL_ENABLE = 0x8000, CONTROL_FUNCTION_MASK = 0x4000;

    private final int vectors;
    private final long[] address;
    private final int[] data;
    private final boolean[] masked;
    private final long[] pending;
    private final PciConfigSpace config;
    private final int capOffset;
    private MsiDelivery delivery = MsiDelivery.NONE;
    private boolean enabled, functionMasked;

    /** Adds the capability to config: table at tableOffset and PBA at pbaOffset, both in BAR bar. */
    public MsixTable(PciConfigSpace config, int vectors, int bar, int tableOffset, int pbaOffset) {
        if (vectors < 1 || vectors > 2048) throw new IllegalArgumentException("MSI-X vectors 1..2048: " + vectors);
        if ((tableOffset & 7) != 0 || (pbaOffset & 7) != 0) throw new IllegalArgumentException("MSI-X offsets must be 8-aligned");
        this.vectors = vectors;
        this.address = new long[vectors];
        this.data = new int[vectors];
        this.masked = new boolean[vectors];
        this.pending = new long[(vectors + 63) / 64];
        java.util.Arrays.fill(masked, true);   // entries come out of reset masked
        this.config = config;
        byte[] body = new byte[10];
        put(body, 0, vectors - 1, 2);
        put(body, 2, tableOffset | bar, 4);
        put(body, 6, pbaOffset | bar, 4);
        this.capOffset = config.addCapability(CAP_ID, body);
        config.setWriteMask(capOffset + 2, 2, CONTROL_ENABLE | CONTROL_FUNCTION_MASK);
    }

    private static void put(byte[] b, int at, int v, int n) { for (int i = 0; i < n; i++) b[at + i] = (byte) (v >>> (8 * i)); }

    public synchronized void setDelivery(MsiDelivery delivery) { this.delivery = delivery; }

    public int vectors() { return vectors; }

    public int capabilityOffset() { return capOffset; }

    public int tableSize() { return vectors * ENTRY_SIZE; }

    public int pbaSize() { return pending.length * 8; }

    public synchronized boolean enabled() { return enabled; }

    /** Call after every guest config write: picks up the enable and function-mask bits. */
    public void configWritten() {
        int control = config.get16(capOffset + 2);
        boolean nowEnabled = (control & CONTROL_ENABLE) != 0, nowMasked = (control & CONTROL_FUNCTION_MASK) != 0;
        boolean announce;
        synchronized (this) {
            announce = nowEnabled && (!enabled || nowMasked != functionMasked);
            enabled = nowEnabled;
            functionMasked = nowMasked;
        }
        if (announce) for (int v = 0; v < vectors; v++) announce(v);
        deliverPending();
    }

    /**
     * Raises vector: delivered now, or left pending while masked. Returns false when MSI-X is disabled (the
     * caller falls back to INTx) or the vector is out of range (NO_VECTOR).
     */
    public boolean signal(int vector) {
        long a;
        int d;
        MsiDelivery to;
        synchronized (this) {
            if (!enabled || vector < 0 || vector >= vectors) return false;
            if (functionMasked || masked[vector]) {
                pending[vector / 64] |= 1L << (vector % 64);
                return true;
            }
            a = address[vector];
            d = data[vector];
            to = delivery;
        }
        to.deliver(vector, a, d);
        return true;
    }

    public synchronized boolean isPending(int vector) { return (pending[vector / 64] & (1L << (vector % 64))) != 0; }

    // ---- BAR accesses; offsets relative to the table's / PBA's start ----

    public synchronized long readTable(long offset, int size) {
        if (offset < 0 || offset + size > tableSize()) return 0;
        if (size == 8) return readTable(offset, 4) & 0xffff_ffffL | readTable(offset + 4, 4) << 32;
        int v = (int) (offset / ENTRY_SIZE);
        int dword = switch ((int) (offset % ENTRY_SIZE) / 4) {
            case 0 -> (int) address[v];
            case 1 -> (int) (address[v] >>> 32);
            case 2 -> data[v];
            default -> masked[v] ? 1 : 0;
        };
        int shift = 8 * (int) (offset & 3);
        return size == 4 ? dword & 0xffff_ffffL : (dword >>> shift) & ((1L << (8 * size)) - 1);
    }

    /** Only dword and qword accesses are defined for the table (PCI spec); others are dropped. */
    public void writeTable(long offset, int size, long value) {
        if (offset < 0 || offset + size > tableSize() || (size != 4 && size != 8)) return;
        if (size == 8) {
            writeTable(offset, 4, value);
            writeTable(offset + 4, 4, value >>> 32);
            return;
        }
        int v = (int) (offset / ENTRY_SIZE);
        synchronized (this) {
            switch ((int) (offset % ENTRY_SIZE) / 4) {
                case 0 -> address[v] = (address[v] & ~0xffff_ffffL) | (value & 0xffff_ffffL);
                case 1 -> address[v] = (address[v] & 0xffff_ffffL) | (value << 32);
                case 2 -> data[v] = (int) value;
                default -> masked[v] = (value & 1) != 0;
            }
        }
        announce(v);
        deliverPending();
    }

    public synchronized long readPba(long offset, int size) {
        if (offset < 0 || offset + size > pbaSize()) return 0;
        long word = pending[(int) (offset / 8)] >>> (8 * (offset % 8));
        return size == 8 ? word : word & ((1L << (8 * size)) - 1);
    }

    private void announce(int v) {
        long a;
        int d;
        boolean m;
        MsiDelivery to;
        synchronized (this) {
            if (!enabled) return;
            a = address[v];
            d = data[v];
            m = masked[v] || functionMasked;
            to = delivery;
        }
        to.vectorChanged(v, a, d, m);
    }

    private void deliverPending() {
        for (int v = 0; v < vectors; v++) {
            long a;
            int d;
            MsiDelivery to;
            synchronized (this) {
                long bit = 1L << (v % 64);
                if (!enabled || functionMasked || masked[v] || (pending[v / 64] & bit) == 0) continue;
                pending[v / 64] &= ~bit;
                a = address[v];
                d = data[v];
                to = delivery;
            }
            to.deliver(v, a, d);
        }
    }
}
