package dev.rig.vfio.pci;

/** Offsets and bits of the type 0 config header and capability ids (include/uapi/linux/pci_regs.h). */
public final class PciRegs {
    private PciRegs() {}

    public static final int VENDOR_ID = 0x00, DEVICE_ID = 0x02, COMMAND = 0x04, STATUS = 0x06, REVISION = 0x08,
            CLASS_PROG = 0x09, CLASS_DEVICE = 0x0a, CACHE_LINE_SIZE = 0x0c, LATENCY_TIMER = 0x0d, HEADER_TYPE = 0x0e,
            BIST = 0x0f, BAR0 = 0x10, CARDBUS_CIS = 0x28, SUBSYSTEM_VENDOR_ID = 0x2c, SUBSYSTEM_ID = 0x2e,
            ROM_ADDRESS = 0x30, CAPABILITY_LIST = 0x34, INTERRUPT_LINE = 0x3c, INTERRUPT_PIN = 0x3d,
            MIN_GNT = 0x3e, MAX_LAT = 0x3f;
    /** The first byte after the type 0 header; standard capabilities live in [0x40, 0x100). */
    public static final int HEADER_END = 0x40, STD_CONFIG_SIZE = 0x100, EXT_CONFIG_SIZE = 0x1000;

    public static final int COMMAND_IO = 0x1, COMMAND_MEMORY = 0x2, COMMAND_MASTER = 0x4;
    public static final int STATUS_CAP_LIST = 0x10;
    public static final int HEADER_TYPE_MULTI_FUNCTION = 0x80;

    public static final int BAR_SPACE_IO = 0x1, BAR_MEM_TYPE_MASK = 0x6, BAR_MEM_TYPE_64 = 0x4, BAR_MEM_PREFETCH = 0x8;
    public static final int ROM_ENABLE = 0x1, ROM_ADDRESS_MASK = 0xfffff800;

    public static final int CAP_ID_PM = 0x01, CAP_ID_VPD = 0x03, CAP_ID_MSI = 0x05, CAP_ID_PCIX = 0x07,
            CAP_ID_VNDR = 0x09, CAP_ID_SSVID = 0x0d, CAP_ID_EXP = 0x10, CAP_ID_MSIX = 0x11, CAP_ID_SATA = 0x12,
            CAP_ID_AF = 0x13;

    /** Base class 0x03: display controllers (VGA 0x0300, 3D 0x0302, ...). */
    public static final int BASE_CLASS_DISPLAY = 0x03;
    public static final int VENDOR_NVIDIA = 0x10de;
}
