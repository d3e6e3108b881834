package dev.rig.vfio.pci;

/**
 * The MSI-X capability, emulated: table size and table/PBA locations read-only, enable and function mask
 * writable in Rig's copy (the backend enables vectors on the device through VFIO_DEVICE_SET_IRQS).
 */
final class MsixEmulation {
    private static final int CTRL_SIZE = 0x7ff, CTRL_MASKALL = 0x4000, CTRL_ENABLE = 0x8000;

    private final ConfigBytes bytes;
    final int cap;
    final MsixLayout layout;
    private boolean enabled, functionMasked;

    MsixEmulation(ConfigBytes bytes, int cap) {
        this.bytes = bytes;
        this.cap = cap;
        int control = bytes.get(cap + 2, 2);
        int table = bytes.get(cap + 4, 4), pba = bytes.get(cap + 8, 4);
        layout = new MsixLayout((control & CTRL_SIZE) + 1, table & 0x7, Integer.toUnsignedLong(table & ~0x7),
                pba & 0x7, Integer.toUnsignedLong(pba & ~0x7));
        bytes.emulate(cap + 2, 2, control & CTRL_SIZE, 0xffff, CTRL_MASKALL | CTRL_ENABLE);
        bytes.readOnly(cap + 4, 4, table);
        bytes.readOnly(cap + 8, 4, pba);
    }

    boolean touches(int offset, int width) {
        return offset < cap + 4 && offset + width > cap + 2;
    }

    void afterWrite(ConfigSpaceListener listener) {
        int control = bytes.get(cap + 2, 2);
        boolean nowEnabled = (control & CTRL_ENABLE) != 0, nowMasked = (control & CTRL_MASKALL) != 0;
        if (nowEnabled != enabled || nowMasked != functionMasked) {
            enabled = nowEnabled;
            functionMasked = nowMasked;
            listener.msixEnabled(nowEnabled, nowMasked);
        }
    }

    boolean enabled() { return enabled; }

    boolean functionMasked() { return functionMasked; }
}
