package dev.rig.kvm.pci;

import dev.rig.kvm.devices.BusDevice;

import java.util.List;

/**
 * A PCI function Rig emulates: a config space, and for each BAR a device that answers accesses inside it (offsets
 * relative to the BAR's base). Config accesses come from {@link PciConfigIo} or {@link PciEcam} through
 * {@link PciRoot}; BAR accesses from whatever bus the VMM registered the BAR on ({@link BusBarMapper}).
 */
public interface EmulatedPciFunction extends PciFunction {
    PciConfigSpace configSpace();

    @Override
    default int readConfig(int offset, int size) { return configSpace().read(offset, size); }

    @Override
    default void writeConfig(int offset, int size, int value) { configSpace().write(offset, size, value); }

    default List<PciBar> bars() { return configSpace().bars(); }

    /** The device to register at the BAR's guest address, or null for a function without that BAR. */
    default BusDevice barDevice(int index) { return null; }
}
