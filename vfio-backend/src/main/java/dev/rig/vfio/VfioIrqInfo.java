package dev.rig.vfio;

import dev.rig.vfio.sys.VfioStructs.IrqInfo;

/** One IRQ index (INTx, MSI, MSI-X, error, request) as VFIO_DEVICE_GET_IRQ_INFO reports it. */
public record VfioIrqInfo(int index, int flags, int count) {
    public boolean eventfd() { return (flags & IrqInfo.FLAG_EVENTFD) != 0; }

    public boolean maskable() { return (flags & IrqInfo.FLAG_MASKABLE) != 0; }

    /** Level-triggered lines (INTx): VFIO masks after each signal and the VMM must unmask. */
    public boolean automasked() { return (flags & IrqInfo.FLAG_AUTOMASKED) != 0; }

    /** Vectors are enabled as a set: growing it means disabling the index first (MSI, MSI-X). */
    public boolean noResize() { return (flags & IrqInfo.FLAG_NORESIZE) != 0; }
}
