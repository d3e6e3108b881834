package dev.rig.vfio.pci;

/**
 * A PCI function's config space as the device answers it: for a passed-through device, VFIO's config region
 * (which the kernel itself partly virtualizes). Accesses are 1, 2 or 4 bytes, naturally aligned, little-endian.
 */
public interface ConfigSource {
    /** 256 for conventional PCI, 4096 with PCIe extended config space. */
    int size();

    /** The value at offset, zero-extended. */
    int read(int offset, int width);

    void write(int offset, int width, int value);
}
