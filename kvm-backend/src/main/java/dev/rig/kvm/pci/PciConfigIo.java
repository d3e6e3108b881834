package dev.rig.kvm.pci;

import dev.rig.kvm.devices.BusDevice;

/**
 * PCI configuration mechanism #1 on the PIO bus: register at 0xCF8 (8 ports). A dword write to 0xCF8 latches
 * the address (bit 31 enable, bus 23:16, device 15:11, function 10:8, register 7:2); accesses to 0xCFC-0xCFF
 * then reach that register plus the port's byte offset. With the enable bit clear, data reads all ones.
 */
public final class PciConfigIo implements BusDevice {
    public static final int BASE = 0xcf8, PORTS = 8;
    private static final int ENABLE = 0x8000_0000;

    private final PciRoot root;
    private int address;

    public PciConfigIo(PciRoot root) { this.root = root; }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset == 0 && size == 4) return address & 0xffff_ffffL;
        if (offset < 4) return ones(size);     // sub-dword reads of the address port
        int byteOffset = (int) offset - 4;
        if ((address & ENABLE) == 0 || byteOffset + size > 4 || byteOffset % size != 0) return ones(size);
        return root.readConfig(bus(), device(), function(), register() + byteOffset, size) & ones(size);
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset == 0 && size == 4) {
            // Bits 1:0 are reserved zeros; bits 30:24 reserved too (AMD uses 27:24 for extended registers; we don't).
            address = (int) value & 0x80ff_fffc;
            return;
        }
        if (offset < 4) return;
        int byteOffset = (int) offset - 4;
        if ((address & ENABLE) == 0 || byteOffset + size > 4 || byteOffset % size != 0) return;
        root.writeConfig(bus(), device(), function(), register() + byteOffset, size, (int) value);
    }

    private int bus() { return (address >>> 16) & 0xff; }

    private int device() { return (address >>> 11) & 0x1f; }

    private int function() { return (address >>> 8) & 0x7; }

    private int register() { return address & 0xfc; }

    private static long ones(int size) { return size >= 8 ? -1L : (1L << (8 * size)) - 1; }
}
