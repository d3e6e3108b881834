package dev.rig.kvm.pci;

/**
 * What occupies a device number on a {@link PciRoot}: something that answers config cycles. Emulated functions
 * hold their registers in a {@link PciConfigSpace} ({@link EmulatedPciFunction}); a passed-through function
 * answers from a virtualized view of the host device's config space.
 */
public interface PciFunction {
    /** size is 1, 2 or 4 and offset naturally aligned (the config mechanisms guarantee it). */
    int readConfig(int offset, int size);

    void writeConfig(int offset, int size, int value);
}
