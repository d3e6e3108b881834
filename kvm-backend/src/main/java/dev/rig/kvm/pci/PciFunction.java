package dev.rig.kvm.pci;

import dev.rig.kvm.devices.BusDevice;

import java.util.List;

/**
 * An emulated PCI function: a config space, and for each BAR a device that answers accesses inside it (offsets
 * relative to the BAR's base). Config accesses come from {@link PciConfigIo} or {@link PciEcam} through
 * {@link PciRoot}; BAR accesses from whatever bus the VMM registered the BAR on.
 */
public interface PciFunction {
    PciConfigSpace configSpace();

    /** size is 1, 2 or 4 and offset naturally aligned (the config mechanisms guarantee it). */
    default int readConfig(int offset, int size) { return configSpace().read(offset, size); }

    default void writeConfig(int offset, int size, int value) { configSpace().write(offset, size, value); }

    default List<PciBar> bars() { return configSpace().bars(); }

    /** The device to register at the BAR's guest address, or null for a function without that BAR. */
    default BusDevice barDevice(int index) { return null; }
}
