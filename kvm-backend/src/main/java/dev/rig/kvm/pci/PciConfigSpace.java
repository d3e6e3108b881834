package dev.rig.kvm.pci;

import java.util.ArrayList;
import java.util.List;

/**
 * A type 0 (endpoint) configuration space: 256 bytes of standard header and capabilities plus the PCIe extended
 * space up to 4 KiB, with a per-byte write mask so read-only fields ignore guest writes. BAR registers carry
 * their size in the mask (address bits below the size are read-only zeros), which makes the guest's sizing probe
 * (write all ones, read back) report ~(size-1) plus the type bits without special cases.
 *
 * <p>BAR moves: a 32-bit BAR is reported moved on a write that changes its address; a 64-bit BAR only on the
 * write of its high dword, because the two halves cannot be written atomically and Linux writes low then high.
 * A dword of all ones is a sizing probe and is never reported; the guest restores the old value after it.
 */
public final class PciConfigSpace {
    public static final int SIZE = 4096, STANDARD_SIZE = 256;
    public static final int VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, STATUS = 0x06, REVISION_ID = 0x08,
            CLASS_CODE = 0x09, CACHE_LINE_SIZE = 0x0c, LATENCY_TIMER = 0x0d, HEADER_TYPE = 0x0e, BAR0 = 0x10,
            SUBSYSTEM_VENDOR_ID = 0x2c, SUBSYSTEM_ID = 0x2e, CAPABILITIES_POINTER = 0x34, INTERRUPT_LINE = 0x3c,
            INTERRUPT_PIN = 0x3d;
    public static final int COMMAND_IO = 0x1, COMMAND_MEMORY = 0x2, COMMAND_BUS_MASTER = 0x4, COMMAND_INTX_DISABLE = 0x400;
    public static final int STATUS_CAPABILITIES_LIST = 0x10, STATUS_INTERRUPT = 0x08;
    /** Command bits a guest may set: I/O, memory, bus master, parity error response, SERR#, INTx disable. */
    private static final int COMMAND_WRITABLE = 0x0547;
    private static final int FIRST_CAPABILITY = 0x40;

    private final byte[] data = new byte[SIZE];
    private final byte[] writeMask = new byte[SIZE];
    private final PciBar[] bars = new PciBar[6];
    private final long[] reportedAddress = new long[6];
    private int lastCapability;          // offset of the last capability's header, 0 while there is none
    private int nextCapability = FIRST_CAPABILITY;
    private BarMoveListener barListener = (bar, from, to) -> {};

    /** classCode is the 24-bit base class, subclass and programming interface (0x060000: host bridge). */
    public PciConfigSpace(int vendorId, int deviceId, int classCode, int revision, int subsystemVendorId, int subsystemId) {
        set16(VENDOR_ID, vendorId);
        set16(DEVICE_ID, deviceId);
        set8(REVISION_ID, revision);
        set8(CLASS_CODE, classCode);
        set16(CLASS_CODE + 1, classCode >>> 8);
        set8(HEADER_TYPE, 0);
        set16(SUBSYSTEM_VENDOR_ID, subsystemVendorId);
        set16(SUBSYSTEM_ID, subsystemId);
        setWriteMask(COMMAND, 2, COMMAND_WRITABLE);
        setWriteMask(CACHE_LINE_SIZE, 1, 0xff);
        setWriteMask(LATENCY_TIMER, 1, 0xff);
        setWriteMask(INTERRUPT_LINE, 1, 0xff);
    }

    public synchronized void setBarMoveListener(BarMoveListener listener) { this.barListener = listener; }

    // ---- guest accesses ----

    /** A guest read; offsets outside the 4 KiB space read all ones. */
    public synchronized int read(int offset, int size) {
        if (offset < 0 || offset + size > SIZE) return size == 4 ? -1 : (1 << (8 * size)) - 1;
        int v = 0;
        for (int i = 0; i < size; i++) v |= (data[offset + i] & 0xff) << (8 * i);
        return v;
    }

    /** A guest write: only bits set in the write mask change. */
    public void write(int offset, int size, int value) {
        List<Runnable> moves = new ArrayList<>();
        synchronized (this) {
            if (offset < 0 || offset + size > SIZE) return;
            for (int i = 0; i < size; i++) {
                int m = writeMask[offset + i] & 0xff;
                int b = (value >>> (8 * i)) & 0xff;
                data[offset + i] = (byte) ((data[offset + i] & ~m) | (b & m));
            }
            if (offset < BAR0 + 24 && offset + size > BAR0) collectBarMoves(offset, size, value, moves);
        }
        moves.forEach(Runnable::run);   // outside the lock: the listener re-registers bus ranges
    }

    private void collectBarMoves(int offset, int size, int value, List<Runnable> moves) {
        boolean probe = size == 4 && value == -1;
        for (PciBar bar : bars) {
            if (bar == null) continue;
            int reg = BAR0 + 4 * bar.index();
            // The dword whose write completes an address: the BAR itself, or the high half of a 64-bit BAR.
            int completing = bar.kind() == PciBar.Kind.MEM64 ? reg + 4 : reg;
            if (offset >= completing + 4 || offset + size <= completing || probe) continue;
            long now = barAddress(bar.index());
            long before = reportedAddress[bar.index()];
            if (now == before) continue;
            reportedAddress[bar.index()] = now;
            BarMoveListener l = barListener;
            moves.add(() -> l.barMoved(bar, before, now));
        }
    }

    // ---- building (device side; ignores write masks) ----

    /** Declares a BAR; its address starts at 0 (unassigned) until the guest or {@link #setBarAddress} sets one. */
    public synchronized void addBar(PciBar bar) {
        if (bar.kind() == PciBar.Kind.ROM) throw new IllegalArgumentException("emulated functions have no expansion ROM");
        int i = bar.index();
        if (bars[i] != null || (bar.kind() == PciBar.Kind.MEM64 && bars[i + 1] != null) || isUpperHalf(i))
            throw new IllegalStateException("BAR " + i + " is already in use");
        bars[i] = bar;
        int reg = BAR0 + 4 * i;
        long mask = ~(bar.size() - 1);
        set32(reg, bar.typeBits());
        setWriteMask(reg, 4, (int) mask & (bar.isMemory() ? ~0xf : ~0x3));
        if (bar.kind() == PciBar.Kind.MEM64) setWriteMask(reg + 4, 4, (int) (mask >>> 32));
    }

    private boolean isUpperHalf(int index) {
        return index > 0 && bars[index - 1] != null && bars[index - 1].kind() == PciBar.Kind.MEM64;
    }

    public synchronized List<PciBar> bars() {
        List<PciBar> out = new ArrayList<>();
        for (PciBar b : bars) if (b != null) out.add(b);
        return out;
    }

    public synchronized PciBar bar(int index) { return bars[index]; }

    /** The BAR's current guest address (without the type bits). */
    public synchronized long barAddress(int index) {
        PciBar bar = bars[index];
        if (bar == null) throw new IllegalArgumentException("no BAR " + index);
        int reg = BAR0 + 4 * index;
        long low = get32(reg) & 0xffff_ffffL & (bar.isMemory() ? ~0xfL : ~0x3L);
        return bar.kind() == PciBar.Kind.MEM64 ? low | ((long) get32(reg + 4) << 32) : low;
    }

    /** The VMM's (firmware's) placement of a BAR; not reported to the move listener. */
    public synchronized void setBarAddress(int index, long address) {
        PciBar bar = bars[index];
        if (bar == null) throw new IllegalArgumentException("no BAR " + index);
        if ((address & (bar.size() - 1)) != 0) throw new IllegalArgumentException("BAR address not aligned to its size");
        int reg = BAR0 + 4 * index;
        set32(reg, (int) address | bar.typeBits());
        if (bar.kind() == PciBar.Kind.MEM64) set32(reg + 4, (int) (address >>> 32));
        reportedAddress[index] = address;
    }

    /** Whether the guest enabled decoding of the BAR's space in the command register. */
    public synchronized boolean decodeEnabled(PciBar bar) {
        return (get16(COMMAND) & (bar.isMemory() ? COMMAND_MEMORY : COMMAND_IO)) != 0;
    }

    /**
     * Appends a capability to the list: header (id, next pointer) then body. Returns the capability's offset,
     * dword aligned. The body starts read-only; use {@link #setWriteMask} for its writable fields.
     */
    public synchronized int addCapability(int id, byte[] body) {
        int length = (2 + body.length + 3) & ~3;
        int at = nextCapability;
        if (at + length > STANDARD_SIZE) throw new IllegalStateException("no room for capability 0x" + Integer.toHexString(id));
        set8(at, id);
        set8(at + 1, 0);
        for (int i = 0; i < body.length; i++) data[at + 2 + i] = body[i];
        if (lastCapability == 0) {
            set8(CAPABILITIES_POINTER, at);
            set16(STATUS, get16(STATUS) | STATUS_CAPABILITIES_LIST);
        } else {
            set8(lastCapability + 1, at);
        }
        lastCapability = at;
        nextCapability = at + length;
        return at;
    }

    public synchronized void setWriteMask(int offset, int size, int mask) {
        for (int i = 0; i < size; i++) writeMask[offset + i] = (byte) (mask >>> (8 * i));
    }

    public synchronized void set8(int offset, int v) { data[offset] = (byte) v; }

    public synchronized void set16(int offset, int v) { set8(offset, v); set8(offset + 1, v >>> 8); }

    public synchronized void set32(int offset, int v) { set16(offset, v); set16(offset + 2, v >>> 16); }

    public synchronized int get8(int offset) { return data[offset] & 0xff; }

    public synchronized int get16(int offset) { return get8(offset) | get8(offset + 1) << 8; }

    public synchronized int get32(int offset) { return get16(offset) | get16(offset + 2) << 16; }
}
