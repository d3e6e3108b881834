package dev.rig.vfio.pci;

/**
 * The MSI capability, fully emulated: the guest programs Rig's copy and the backend turns it into KVM routes and
 * VFIO_DEVICE_SET_IRQS (the kernel's vfio-pci virtualizes the device's own MSI registers likewise). Read-only:
 * Multiple Message Capable, 64-bit, per-vector masking. Writable: enable, Multiple Message Enable (clamped to what
 * the device can do), address, data, mask bits of implemented vectors. Extended message data is not offered.
 */
final class MsiEmulation {
    private static final int CTRL_ENABLE = 0x1, CTRL_MME_SHIFT = 4, CTRL_MME = 0x70, CTRL_64BIT = 0x80, CTRL_PVM = 0x100;

    private final ConfigBytes bytes;
    final int cap;
    final boolean is64, maskable;
    final int maxVectorsLog2;
    private final int addressLo, addressHi, data, mask;
    private boolean enabled;
    private int vectors = 1;
    private MsiMessage message = new MsiMessage(0, 0);
    private int maskBits;

    MsiEmulation(ConfigBytes bytes, int cap) {
        this.bytes = bytes;
        this.cap = cap;
        int control = bytes.get(cap + 2, 2);
        is64 = (control & CTRL_64BIT) != 0;
        maskable = (control & CTRL_PVM) != 0;
        maxVectorsLog2 = Math.min(5, (control >> 1) & 0x7);
        addressLo = cap + 4;
        addressHi = is64 ? cap + 8 : -1;
        data = is64 ? cap + 12 : cap + 8;
        mask = maskable ? data + 4 : -1;
        // Disabled, one vector, as after reset; only the capability bits the device really has stay visible.
        bytes.emulate(cap + 2, 2, control & (CTRL_64BIT | CTRL_PVM | 0xe), 0xffff, CTRL_ENABLE | CTRL_MME);
        bytes.emulate(addressLo, 4, 0, -1, 0xfffffffc);
        if (is64) bytes.emulate(addressHi, 4, 0, -1, -1);
        bytes.emulate(data, 2, 0, 0xffff, 0xffff);
        if (maskable) {
            bytes.readOnly(data + 2, 2, 0);  // extended message data: not offered
            bytes.emulate(mask, 4, 0, -1, vectorBits(1 << maxVectorsLog2));
            bytes.readOnly(mask + 4, 4, 0);  // pending bits: Rig delivers through KVM, nothing stays pending here
        }
    }

    int length() { return PciCapability.msiLength(bytes.get(cap + 2, 2)); }

    boolean touches(int offset, int width) {
        return offset < cap + length() && offset + width > cap + 2;
    }

    void afterWrite(ConfigSpaceListener listener) {
        int control = bytes.get(cap + 2, 2);
        int mme = (control & CTRL_MME) >> CTRL_MME_SHIFT;
        if (mme > maxVectorsLog2) {  // asking for more vectors than the device has gets what it has
            mme = maxVectorsLog2;
            bytes.set(cap + 2, 2, (control & ~CTRL_MME) | (mme << CTRL_MME_SHIFT));
        }
        boolean nowEnabled = (control & CTRL_ENABLE) != 0;
        int nowVectors = 1 << mme;
        long address = Integer.toUnsignedLong(bytes.get(addressLo, 4)) | (is64 ? (long) bytes.get(addressHi, 4) << 32 : 0);
        MsiMessage nowMessage = new MsiMessage(address, bytes.get(data, 2));
        boolean reprogram = nowEnabled && !nowMessage.equals(message);
        if (nowEnabled != enabled || (nowEnabled && nowVectors != vectors)) {
            listener.msiEnabled(nowEnabled, nowVectors);
            reprogram = nowEnabled;
        }
        enabled = nowEnabled;
        vectors = nowVectors;
        message = nowMessage;
        if (reprogram) for (int v = 0; v < vectors; v++) listener.msiVectorProgrammed(v, vectorMessage(v));
        if (maskable) {
            int nowMask = bytes.get(mask, 4);
            int changed = nowMask ^ maskBits;
            maskBits = nowMask;
            for (int v = 0; v < 32; v++) if ((changed & (1 << v)) != 0) listener.msiVectorMasked(v, (nowMask & (1 << v)) != 0);
        }
    }

    boolean enabled() { return enabled; }

    int vectors() { return vectors; }

    /** Vector v's message: the device puts the vector number in the low bits of the data (PCI spec, MSI). */
    MsiMessage vectorMessage(int v) {
        if (v < 0 || v >= vectors) throw new IllegalArgumentException("MSI vector " + v + " of " + vectors);
        return new MsiMessage(message.address(), (message.data() & ~(vectors - 1)) | v);
    }

    boolean masked(int v) { return maskable && (maskBits & (1 << v)) != 0; }

    private static int vectorBits(int n) {
        return n >= 32 ? -1 : (1 << n) - 1;
    }
}
