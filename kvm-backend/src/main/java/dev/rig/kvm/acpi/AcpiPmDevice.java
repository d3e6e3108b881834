package dev.rig.kvm.acpi;

import dev.rig.kvm.devices.BusDevice;
import dev.rig.kvm.devices.InterruptLine;

/**
 * The ACPI fixed-hardware PM registers the FADT advertises, as one 8-port block (register it on the PIO bus
 * at {@link AcpiConfig.PmBlock#basePort}, length {@link #LENGTH}):
 * <pre>
 *   +0  PM1a_STS  16 bits, write 1 to clear      +4  PM1a_CNT  16 bits: SCI_EN reads 1, SLP_TYP, SLP_EN
 *   +2  PM1a_EN   16 bits                        +6  RESET_REG 8 bits: bit 2 set resets (0x06, 0x0E)
 * </pre>
 * The guest is always in ACPI mode (FADT SMI_CMD is 0). Writing SLP_EN with SLP_TYP {@link #SLP_TYP_S5}, as
 * Linux's poweroff does after reading \_S5_, runs onPowerOff; other sleep types are ignored (no S1-S4).
 * The reset register lives here rather than at 0xCF9 because 0xCF8-0xCFF belong to the PCI config ports.
 * {@link #pressPowerButton} raises the fixed power button event on the SCI so the guest can shut down cleanly.
 */
public final class AcpiPmDevice implements BusDevice {
    public static final int PM1_STS = 0, PM1_EN = 2, PM1_CNT = 4, RESET = 6, LENGTH = 8;
    /** The SLP_TYP value the DSDT's \_S5_ package hands the OS. */
    public static final int SLP_TYP_S5 = 5;
    /** What the FADT tells the OS to write to the reset register: system reset plus CPU reset, as at 0xCF9. */
    public static final int RESET_VALUE = 0x06;

    static final int STS_PWRBTN = 1 << 8, STS_WAK = 1 << 15;
    static final int CNT_SCI_EN = 1, CNT_SLP_TYP_SHIFT = 10, CNT_SLP_TYP_MASK = 7 << 10, CNT_SLP_EN = 1 << 13;
    private static final int RESET_CPU = 1 << 2;
    /** PM1_STS bits that exist here; the rest read 0. */
    private static final int STS_IMPLEMENTED = STS_PWRBTN | STS_WAK;
    /** PM1_EN bits that exist here: PWRBTN_EN. */
    private static final int EN_IMPLEMENTED = STS_PWRBTN;

    private final InterruptLine sci;
    private final Runnable onPowerOff;
    private final Runnable onReset;
    private int status, enable, control = CNT_SCI_EN;
    private boolean sciAsserted;

    public AcpiPmDevice(InterruptLine sci, Runnable onPowerOff, Runnable onReset) {
        this.sci = sci;
        this.onPowerOff = onPowerOff;
        this.onReset = onReset;
    }

    @Override
    public synchronized long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) v |= (long) readByte((int) offset + i) << (8 * i);
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        Runnable action = null;
        synchronized (this) {
            for (int i = 0; i < size; i++) {
                Runnable a = writeByte((int) offset + i, (int) (value >>> (8 * i)) & 0xff);
                if (a != null) action = a;
            }
            updateSci();
        }
        if (action != null) action.run();   // outside the lock: these stop or restart the VM
    }

    /** Latches PWRBTN_STS; if the guest enabled PWRBTN_EN, the SCI asserts until it clears the status bit. */
    public synchronized void pressPowerButton() {
        status |= STS_PWRBTN;
        updateSci();
    }

    private int readByte(int offset) {
        int reg = switch (offset & ~1) {
            case PM1_STS -> status;
            case PM1_EN -> enable;
            case PM1_CNT -> control | CNT_SCI_EN;
            default -> 0;                      // the reset register reads 0; +7 is padding
        };
        return (offset & 1) == 0 ? reg & 0xff : reg >>> 8;
    }

    /** Applies one byte of a write; returns the callback it triggers, if any. */
    private Runnable writeByte(int offset, int v) {
        int shift = 8 * (offset & 1), mask = 0xff << shift;
        int bits = v << shift;
        switch (offset & ~1) {
            case PM1_STS -> status &= ~(bits & mask);
            case PM1_EN -> enable = (enable & ~mask) | (bits & EN_IMPLEMENTED);
            case PM1_CNT -> {
                // SLP_EN is write-only: it triggers the transition and never reads back as set.
                control = ((control & ~mask) | bits) & ~CNT_SLP_EN | CNT_SCI_EN;
                if ((bits & CNT_SLP_EN) != 0
                        && ((control & CNT_SLP_TYP_MASK) >>> CNT_SLP_TYP_SHIFT) == SLP_TYP_S5) return onPowerOff;
            }
            case RESET -> {
                if (shift == 0 && (v & RESET_CPU) != 0) return onReset;
            }
            default -> { }
        }
        return null;
    }

    private void updateSci() {
        boolean want = (status & enable & STS_IMPLEMENTED) != 0;
        if (want != sciAsserted) {
            sciAsserted = want;
            sci.set(want);
        }
    }
}
