package dev.rig.kvm.pci;

/**
 * The host bridge at device 0 of bus 0: no BARs, no interrupt, class 0x060000. It carries Intel's vendor id and
 * device 0x0d57, the id Cloud Hypervisor's virtual PCIe host bridge uses, which Linux binds no driver or quirk
 * to; guests only need a function at 00:00.0 that says "host bridge".
 */
public final class PciHostBridge implements EmulatedPciFunction {
    public static final int VENDOR_INTEL = 0x8086, DEVICE_VIRT_HOST_BRIDGE = 0x0d57, CLASS_HOST_BRIDGE = 0x060000;

    private final PciConfigSpace config =
            new PciConfigSpace(VENDOR_INTEL, DEVICE_VIRT_HOST_BRIDGE, CLASS_HOST_BRIDGE, 0, 0, 0);

    @Override
    public PciConfigSpace configSpace() { return config; }
}
