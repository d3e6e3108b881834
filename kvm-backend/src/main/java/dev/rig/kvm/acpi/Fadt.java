package dev.rig.kvm.acpi;

/**
 * The Fixed ACPI Description Table, revision 6 (ACPI 6.5 §5.2.9, 276 bytes, as Cloud Hypervisor and
 * Firecracker emit). Deliberately not HW_REDUCED_ACPI: Linux then uses the fixed PM1 registers and the SCI
 * rather than needing a Generic Event Device. SMI_CMD is 0, so the OS takes the platform as always in ACPI
 * mode (SCI_EN reads set). There is no PM timer and no GPE block.
 *
 * @param pm             the PM register block ({@link AcpiPmDevice}) and SCI IRQ
 * @param iapcBootArch   IAPC_BOOT_ARCH bits ({@link #BOOT_ARCH_8042} etc.)
 * @param facsAddress    guest physical address of the FACS (64-byte aligned)
 * @param dsdtAddress    guest physical address of the DSDT
 */
public record Fadt(AcpiConfig.PmBlock pm, int iapcBootArch, long facsAddress, long dsdtAddress) {
    public static final int REVISION = 6, MINOR_REVISION = 5, LENGTH = 276;
    public static final int BOOT_ARCH_LEGACY_DEVICES = 1, BOOT_ARCH_8042 = 1 << 1, BOOT_ARCH_VGA_NOT_PRESENT = 1 << 2,
            BOOT_ARCH_CMOS_RTC_NOT_PRESENT = 1 << 5;
    public static final int FLAG_WBINVD = 1, FLAG_PROC_C1 = 1 << 2, FLAG_SLP_BUTTON = 1 << 5, FLAG_FIX_RTC = 1 << 6,
            FLAG_RESET_REG_SUP = 1 << 10, FLAG_HW_REDUCED_ACPI = 1 << 20;
    /**
     * WBINVD works; C1 (HLT) is supported; there is no fixed sleep button (SLP_BUTTON set) while the power
     * button is the fixed-feature one ({@link AcpiPmDevice#pressPowerButton}); no RTC wake status (FIX_RTC);
     * the reset register is valid.
     */
    public static final int FLAGS = FLAG_WBINVD | FLAG_PROC_C1 | FLAG_SLP_BUTTON | FLAG_FIX_RTC | FLAG_RESET_REG_SUP;
    /** Offsets of fields the tests and OS read. */
    public static final int FIRMWARE_CTRL = 36, DSDT = 40, SCI_INT = 46, SMI_CMD = 48, PM1A_EVT_BLK = 56,
            PM1A_CNT_BLK = 64, PM1_EVT_LEN = 88, PM1_CNT_LEN = 89, IAPC_BOOT_ARCH = 109, FLAGS_OFFSET = 112,
            RESET_REG = 116, RESET_VALUE = 128, X_FIRMWARE_CTRL = 132, X_DSDT = 140;

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter();
        w.u32(facsAddress).u32(dsdtAddress)
                .u8(0)                           // reserved (ACPI 1.0 INT_MODEL)
                .u8(0)                           // Preferred_PM_Profile: unspecified
                .u16(pm.sciIrq()).u32(0)         // SCI_INT, SMI_CMD: none, hardware is in ACPI mode
                .u8(0).u8(0).u8(0).u8(0)         // ACPI_ENABLE, ACPI_DISABLE, S4BIOS_REQ, PSTATE_CNT
                .u32(pm.pm1aEventPort()).u32(0)  // PM1a_EVT_BLK, PM1b_EVT_BLK
                .u32(pm.pm1aControlPort()).u32(0)// PM1a_CNT_BLK, PM1b_CNT_BLK
                .u32(0).u32(0)                   // PM2_CNT_BLK, PM_TMR_BLK
                .u32(0).u32(0)                   // GPE0_BLK, GPE1_BLK
                .u8(4).u8(2).u8(0).u8(0)         // PM1_EVT_LEN, PM1_CNT_LEN, PM2_CNT_LEN, PM_TMR_LEN
                .u8(0).u8(0).u8(0).u8(0)         // GPE0_BLK_LEN, GPE1_BLK_LEN, GPE1_BASE, CST_CNT
                .u16(0xfff).u16(0xfff)           // P_LVL2_LAT > 100, P_LVL3_LAT > 1000: no C2, no C3
                .u16(0).u16(0)                   // FLUSH_SIZE, FLUSH_STRIDE
                .u8(0).u8(0)                     // DUTY_OFFSET, DUTY_WIDTH
                .u8(0).u8(0).u8(0)               // DAY_ALRM, MON_ALRM, CENTURY: no RTC alarm fields
                .u16(iapcBootArch).u8(0)
                .u32(FLAGS);
        GenericAddress.io(pm.resetPort(), 8).writeTo(w);
        w.u8(AcpiPmDevice.RESET_VALUE).u16(0)    // RESET_VALUE, ARM_BOOT_ARCH
                .u8(MINOR_REVISION)
                .u64(facsAddress).u64(dsdtAddress); // X_FIRMWARE_CTRL, X_DSDT
        GenericAddress.io(pm.pm1aEventPort(), 32).writeTo(w);   // X_PM1a_EVT_BLK
        GenericAddress.NONE.writeTo(w);                         // X_PM1b_EVT_BLK
        GenericAddress.io(pm.pm1aControlPort(), 16).writeTo(w); // X_PM1a_CNT_BLK
        for (int i = 0; i < 7; i++) GenericAddress.NONE.writeTo(w); // PM1b_CNT, PM2_CNT, PM_TMR, GPE0, GPE1, SLEEP_CONTROL, SLEEP_STATUS
        w.ascii("RIGVMM", 6).zeros(2);           // Hypervisor Vendor Identity
        byte[] body = w.toByteArray();
        if (Sdt.HEADER_SIZE + body.length != LENGTH) throw new AssertionError("FADT is " + (Sdt.HEADER_SIZE + body.length));
        return new Sdt("FACP", REVISION, body).toBytes();
    }

    /** The IAPC_BOOT_ARCH a serial-only VM reports: no VGA; 8042 and CMOS RTC only when emulated. */
    public static int bootArch(boolean i8042Present, boolean cmosRtcPresent) {
        return BOOT_ARCH_VGA_NOT_PRESENT | (i8042Present ? BOOT_ARCH_8042 : 0)
                | (cmosRtcPresent ? 0 : BOOT_ARCH_CMOS_RTC_NOT_PRESENT);
    }
}
