package dev.rig.kvm.pci;

import dev.rig.kvm.devices.BusDevice;

/**
 * PCIe enhanced configuration access (ECAM/MMCONFIG) on the MMIO bus, for bus 0 only: a 1 MiB window where
 * offset = device << 15 | function << 12 | register, so the full 4 KiB config space of each function is
 * reachable. The ACPI MCFG table must describe it (segment, base, buses 0-0).
 */
public final class PciEcam implements BusDevice {
    public static final long SIZE = 1 << 20;

    private final PciRoot root;

    public PciEcam(PciRoot root) { this.root = root; }

    @Override
    public long read(long offset, int size) {
        if (size == 8) return (read(offset, 4) & 0xffff_ffffL) | read(offset + 4, 4) << 32;
        if (!valid(offset, size)) return size == 4 ? 0xffff_ffffL : (1L << (8 * size)) - 1;
        return root.readConfig(0, device(offset), function(offset), register(offset), size) & ((1L << (8 * size)) - 1);
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size == 8) {
            write(offset, 4, value);
            write(offset + 4, 4, value >>> 32);
            return;
        }
        if (!valid(offset, size)) return;
        root.writeConfig(0, device(offset), function(offset), register(offset), size, (int) value);
    }

    private static boolean valid(long offset, int size) {
        return offset >= 0 && offset + size <= SIZE && offset % size == 0;
    }

    private static int device(long offset) { return (int) (offset >>> 15) & 0x1f; }

    private static int function(long offset) { return (int) (offset >>> 12) & 0x7; }

    private static int register(long offset) { return (int) offset & 0xfff; }
}
