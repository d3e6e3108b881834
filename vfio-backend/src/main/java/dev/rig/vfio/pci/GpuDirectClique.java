package dev.rig.vfio.pci;

/**
 * The NVIDIA GPUDirect P2P clique capability (Cloud Hypervisor's x_nv_gpudirect_clique, QEMU's
 * x-nv-gpudirect-clique): a vendor-specific capability that tells the guest driver which passed-through GPUs may
 * use PCIe peer-to-peer between them; GPUs with the same clique id can. Rig cannot check that the host topology
 * really routes P2P: that is the user's claim.
 * <p>
 * Layout, as QEMU's hw/vfio/pci-quirks.c vfio_add_nv_gpudirect_cap() writes it (after NVIDIA's spec, linked there:
 * https://lists.gnu.org/archive/html/qemu-devel/2017-08/pdfUda5iEpgOS.pdf):
 * <pre>
 *   +0 cap id 0x09   +1 next   +2 vendor length 8   +3 'P'   +4 '2'   +5 'P'
 *   +6 bits 2:0 version (0), bits 6:3 clique id, bit 7 reserved (0)   (QEMU: clique << 3)
 *   +7 reserved (0)
 * </pre>
 * Placement follows QEMU too: 0xC8, which the spec reserves for hypervisors, unless a capability is there (Turing
 * and later GPUs put MSI-X at 0xC8), then 0xD4, the revised spec's alternative; failing both, any free
 * dword-aligned place. The spec asks for the capability at the end of the list, so its link is 0.
 */
public final class GpuDirectClique {
    public static final int LENGTH = 8;
    public static final int PREFERRED_OFFSET = 0xc8, ALTERNATE_OFFSET = 0xd4;
    public static final int MAX_CLIQUE = 15;

    private GpuDirectClique() {}

    /**
     * Adds the capability with this clique id to an NVIDIA display-class device's virtual config space.
     *
     * @return the offset it was placed at
     * @throws IllegalArgumentException for a clique outside 0..15, a non-NVIDIA or non-display device, or no room
     */
    public static int add(VirtualConfigSpace config, int cliqueId) {
        if (cliqueId < 0 || cliqueId > MAX_CLIQUE)
            throw new IllegalArgumentException("GPUDirect clique id " + cliqueId + " is out of range: it must be 0.."
                    + MAX_CLIQUE + " (4 bits in the capability)");
        int vendor = config.vendorId(), classCode = config.classCode();
        String device = String.format("%04x:%04x (class 0x%06x)", vendor, config.deviceId(), classCode);
        if (vendor != PciRegs.VENDOR_NVIDIA)
            throw new IllegalArgumentException("GPUDirect clique is for NVIDIA GPUs (vendor 10de); device " + device
                    + " is not one");
        if (classCode >>> 16 != PciRegs.BASE_CLASS_DISPLAY)
            throw new IllegalArgumentException("GPUDirect clique is for display-class devices (class 0x03xxxx, e.g. VGA "
                    + "or 3D controller); device " + device + " is not one");
        try {
            return config.addVirtualCapability(PciRegs.CAP_ID_VNDR, body(cliqueId), PREFERRED_OFFSET, ALTERNATE_OFFSET);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("cannot add the GPUDirect clique capability to " + device + ": "
                    + e.getMessage(), e);
        }
    }

    /** The six bytes after id and next. */
    static byte[] body(int cliqueId) {
        return new byte[] {LENGTH, 'P', '2', 'P', (byte) (cliqueId << 3), 0};
    }
}
