package dev.rig.vfio.pci;

import dev.rig.kvm.pci.PciBar;

import java.util.ArrayList;
import java.util.List;

/**
 * BAR0..5 and the expansion ROM, fully emulated. Sizes come from VFIO region info; the type bits (I/O, 32/64-bit,
 * prefetchable) from the device's registers. Each register's writable mask is exactly its address bits, so the
 * guest's sizing probe (write all ones, read back) returns the size mask and placement keeps the address.
 * <p>
 * Moves are reported once per real placement: a register left with every address bit set is a sizing probe, and
 * a 64-bit BAR commits when its upper half is written (guests write low, then high) or when decoding is enabled.
 */
final class BarEmulation {
    private static final class Slot {
        final int index;
        final PciBar.Kind kind;
        final boolean prefetchable;
        final long size;
        final int lowMask, highMask;  // writable address bits of the register(s)
        long committed;
        boolean lowPending;

        Slot(int index, PciBar.Kind kind, boolean prefetchable, long size, int lowMask, int highMask) {
            this.index = index;
            this.kind = kind;
            this.prefetchable = prefetchable;
            this.size = size;
            this.lowMask = lowMask;
            this.highMask = highMask;
        }

        int register() { return index == PciBar.ROM_INDEX ? PciRegs.ROM_ADDRESS : PciRegs.BAR0 + 4 * index; }

        PciBar bar() { return new PciBar(index, size, kind, prefetchable); }
    }

    private final ConfigBytes bytes;
    private final Slot[] slots = new Slot[7];

    /**
     * @param barSizes region sizes of BAR0..5 (0 = unimplemented, and 0 for the upper half of a 64-bit BAR)
     * @param romSize ROM region size; with exposeRom false (or size 0) the ROM BAR reads 0 and ignores writes
     */
    BarEmulation(ConfigBytes bytes, long[] barSizes, long romSize, boolean exposeRom) {
        this.bytes = bytes;
        if (barSizes.length != 6) throw new IllegalArgumentException("need 6 BAR sizes, got " + barSizes.length);
        for (int i = 0; i < 6; i++) {
            int reg = PciRegs.BAR0 + 4 * i;
            int raw = bytes.get(reg, 4);
            long size = barSizes[i];
            if (size == 0) {
                bytes.readOnly(reg, 4, 0);
                continue;
            }
            requirePowerOfTwo("BAR" + i, size);
            if ((raw & PciRegs.BAR_SPACE_IO) != 0) {
                if (size > 1L << 16) throw new IllegalArgumentException("I/O BAR" + i + " larger than 64 KiB: " + size);
                int mask = (int) ~(size - 1) & ~0x3;
                bytes.emulate(reg, 4, PciRegs.BAR_SPACE_IO, -1, mask);
                slots[i] = new Slot(i, PciBar.Kind.IO, false, size, mask, 0);
                continue;
            }
            boolean is64 = (raw & PciRegs.BAR_MEM_TYPE_MASK) == PciRegs.BAR_MEM_TYPE_64;
            boolean prefetch = (raw & PciRegs.BAR_MEM_PREFETCH) != 0;
            int flags = raw & 0xf;
            long sizeMask = ~(Math.max(size, 16) - 1);
            int low = (int) sizeMask & ~0xf;
            if (is64) {
                if (i == 5) throw new IllegalArgumentException("BAR5 claims to be 64-bit: there is no BAR6 for its upper half");
                int high = (int) (sizeMask >>> 32);
                bytes.emulate(reg, 4, flags, -1, low);
                bytes.emulate(reg + 4, 4, 0, -1, high);
                slots[i] = new Slot(i, PciBar.Kind.MEM64, prefetch, size, low, high);
                i++;  // the upper half is not a BAR of its own
            } else {
                if (size > 1L << 32) throw new IllegalArgumentException("32-bit BAR" + i + " larger than 4 GiB: " + size);
                bytes.emulate(reg, 4, flags, -1, low);
                slots[i] = new Slot(i, PciBar.Kind.MEM32, prefetch, size, low, 0);
            }
        }
        if (exposeRom && romSize > 0) {
            requirePowerOfTwo("ROM", romSize);
            int mask = (PciRegs.ROM_ADDRESS_MASK & (int) ~(Math.max(romSize, 2048) - 1)) | PciRegs.ROM_ENABLE;
            bytes.emulate(PciRegs.ROM_ADDRESS, 4, 0, -1, mask);
            slots[PciBar.ROM_INDEX] = new Slot(PciBar.ROM_INDEX, PciBar.Kind.ROM, false, romSize,
                    mask & ~PciRegs.ROM_ENABLE, 0);
        } else {
            bytes.readOnly(PciRegs.ROM_ADDRESS, 4, 0);
        }
    }

    private static void requirePowerOfTwo(String what, long size) {
        if (Long.bitCount(size) != 1) throw new IllegalArgumentException(what + " size " + size + " is not a power of two");
    }

    static boolean touches(int offset, int width) {
        return (offset < PciRegs.CARDBUS_CIS && offset + width > PciRegs.BAR0)
                || (offset < PciRegs.ROM_ADDRESS + 4 && offset + width > PciRegs.ROM_ADDRESS);
    }

    /** After a guest write landed in the copy: report placements it completed. */
    void afterWrite(int offset, int width, ConfigSpaceListener listener) {
        for (Slot s : slots) {
            if (s == null) continue;
            int reg = s.register();
            if (offset < reg + 4 && offset + width > reg) {
                if (s.kind == PciBar.Kind.MEM64) s.lowPending = true;
                else commit(s, listener);
            }
            if (s.kind == PciBar.Kind.MEM64 && offset < reg + 8 && offset + width > reg + 4) commit(s, listener);
        }
    }

    /** Decoding is being enabled: commit 64-bit BARs whose upper half was never rewritten. */
    void commitPending(ConfigSpaceListener listener) {
        for (Slot s : slots) if (s != null && s.lowPending) commit(s, listener);
    }

    private void commit(Slot s, ConfigSpaceListener listener) {
        int reg = s.register();
        int low = bytes.get(reg, 4);
        if (s.lowMask != 0 && (low & s.lowMask) == s.lowMask) return;  // sizing probe in progress
        long address = low & s.lowMask;
        if (s.kind == PciBar.Kind.MEM64) {
            int high = bytes.get(reg + 4, 4);
            if (s.highMask != 0 && (high & s.highMask) == s.highMask) return;
            address = ((long) high << 32) | Integer.toUnsignedLong(low & s.lowMask);
        } else {
            address = Integer.toUnsignedLong((int) address);
        }
        s.lowPending = false;
        if (address == s.committed) return;
        long old = s.committed;
        s.committed = address;
        listener.barMoved(s.bar(), old, address);
    }

    List<PciBar> bars() {
        List<PciBar> list = new ArrayList<>();
        for (int i = 0; i < 6; i++) if (slots[i] != null) list.add(slots[i].bar());
        return list;
    }

    PciBar rom() {
        Slot s = slots[PciBar.ROM_INDEX];
        return s == null ? null : s.bar();
    }

    /** Where the BAR (or ROM, index 6) was last placed: 0 until the guest or firmware placed it. */
    long address(int index) {
        Slot s = index >= 0 && index < slots.length ? slots[index] : null;
        if (s == null) throw new IllegalArgumentException("no BAR " + index);
        return s.committed;
    }

    boolean romEnabled() {
        return slots[PciBar.ROM_INDEX] != null && (bytes.get(PciRegs.ROM_ADDRESS, 4) & PciRegs.ROM_ENABLE) != 0;
    }
}
