package dev.rig.vfio;

import dev.rig.vfio.sys.VfioStructs.DeviceInfo;

/** What VFIO_DEVICE_GET_INFO reports: flags and how many region and IRQ indexes the device has. */
public record VfioDeviceInfo(int flags, int numRegions, int numIrqs) {
    /** VFIO_DEVICE_FLAGS_RESET: VFIO_DEVICE_RESET is offered (edu, for one, has no reset mechanism). */
    public boolean supportsReset() { return (flags & DeviceInfo.FLAG_RESET) != 0; }

    public boolean isPci() { return (flags & DeviceInfo.FLAG_PCI) != 0; }
}
