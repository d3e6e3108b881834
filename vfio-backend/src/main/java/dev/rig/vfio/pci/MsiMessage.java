package dev.rig.vfio.pci;

/** An MSI/MSI-X message: the guest physical address the device writes and the data it writes there. */
public record MsiMessage(long address, int data) {
    @Override
    public String toString() {
        return String.format("address 0x%x data 0x%x", address, data);
    }
}
