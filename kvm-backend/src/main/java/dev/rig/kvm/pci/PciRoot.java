package dev.rig.kvm.pci;

import java.util.Optional;

/**
 * Bus 0 of one PCI segment: up to 32 device numbers, each holding a single-function device (function 0). Config
 * cycles to an empty slot, another function or another bus read all ones and drop writes, which is how
 * enumeration learns a slot is empty.
 */
public final class PciRoot {
    public static final int DEVICES = 32, FUNCTIONS = 8;

    private final PciFunction[] slots = new PciFunction[DEVICES];

    /** A root with the host bridge at device 0. */
    public static PciRoot withHostBridge() {
        PciRoot root = new PciRoot();
        root.add(0, new PciHostBridge());
        return root;
    }

    /** Puts an emulated fn at device number device; barListener hears the guest's BAR moves for it. */
    public void add(int device, EmulatedPciFunction fn, BarMoveListener barListener) {
        fn.configSpace().setBarMoveListener(barListener);
        add(device, fn);
    }

    /** Puts fn at device number device (a function that follows its own BAR moves). */
    public synchronized void add(int device, PciFunction fn) {
        if (device < 0 || device >= DEVICES) throw new IllegalArgumentException("device number 0..31: " + device);
        if (slots[device] != null) throw new IllegalStateException("PCI device " + device + " is taken");
        slots[device] = fn;
    }

    /** The lowest free device number. */
    public synchronized int nextFreeDevice() {
        for (int d = 0; d < DEVICES; d++) if (slots[d] == null) return d;
        throw new IllegalStateException("PCI bus 0 is full");
    }

    public synchronized Optional<PciFunction> function(int device) {
        return device >= 0 && device < DEVICES ? Optional.ofNullable(slots[device]) : Optional.empty();
    }

    private PciFunction target(int bus, int device, int function) {
        if (bus != 0 || function != 0 || device < 0 || device >= DEVICES) return null;
        synchronized (this) { return slots[device]; }
    }

    /** A config read of size 1, 2 or 4 at a naturally aligned register. */
    public int readConfig(int bus, int device, int function, int register, int size) {
        PciFunction fn = target(bus, device, function);
        if (fn == null) return size == 4 ? -1 : (1 << (8 * size)) - 1;
        return fn.readConfig(register, size);
    }

    public void writeConfig(int bus, int device, int function, int register, int size, int value) {
        PciFunction fn = target(bus, device, function);
        if (fn != null) fn.writeConfig(register, size, value);
    }
}
