package dev.rig.kvm.acpi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AcpiPmDeviceTest {
    private final AtomicInteger powerOffs = new AtomicInteger(), resets = new AtomicInteger();
    private final List<Boolean> sci = new ArrayList<>();
    private final AcpiPmDevice pm = new AcpiPmDevice(sci::add, powerOffs::incrementAndGet, resets::incrementAndGet);

    private static int sleep(int slpTyp) { return slpTyp << 10 | 1 << 13; }

    @Test
    void s5WithSlpEnPowersOff() {
        // ACPICA writes SLP_TYP first, then SLP_TYP|SLP_EN, both as 16-bit writes to PM1a_CNT
        pm.write(AcpiPmDevice.PM1_CNT, 2, AcpiPmDevice.SLP_TYP_S5 << 10 | 1);
        assertEquals(0, powerOffs.get(), "SLP_TYP alone does nothing");
        pm.write(AcpiPmDevice.PM1_CNT, 2, sleep(AcpiPmDevice.SLP_TYP_S5) | 1);
        assertEquals(1, powerOffs.get());
        assertEquals(0, pm.read(AcpiPmDevice.PM1_CNT, 2) & 1 << 13, "SLP_EN is write-only");
    }

    @Test
    void s5ByteWriteToTheHighControlBytePowersOff() {
        pm.write(AcpiPmDevice.PM1_CNT + 1, 1, sleep(AcpiPmDevice.SLP_TYP_S5) >>> 8);
        assertEquals(1, powerOffs.get());
    }

    @Test
    void otherSleepTypesDoNothing() {
        for (int typ = 0; typ < 8; typ++) if (typ != AcpiPmDevice.SLP_TYP_S5) pm.write(AcpiPmDevice.PM1_CNT, 2, sleep(typ));
        assertEquals(0, powerOffs.get());
        assertEquals(0, resets.get());
    }

    @Test
    void resetRegisterWriteResets() {
        pm.write(AcpiPmDevice.RESET, 1, AcpiPmDevice.RESET_VALUE);
        assertEquals(1, resets.get());
        pm.write(AcpiPmDevice.RESET, 1, 0x0E);   // the other common 0xCF9 reset value
        assertEquals(2, resets.get());
        pm.write(AcpiPmDevice.RESET, 1, 0x02);   // no CPU reset bit
        assertEquals(2, resets.get());
        assertEquals(0, powerOffs.get());
    }

    @Test
    void sciEnAlwaysReadsSetAndSlpTypReadsBack() {
        assertEquals(1, pm.read(AcpiPmDevice.PM1_CNT, 2));
        pm.write(AcpiPmDevice.PM1_CNT, 2, 3 << 10);   // guest tries to clear SCI_EN: ignored
        assertEquals(3 << 10 | 1, pm.read(AcpiPmDevice.PM1_CNT, 2));
    }

    @Test
    void enableReadsBackAndStatusIsWriteOneToClear() {
        pm.write(AcpiPmDevice.PM1_EN, 2, 1 << 8);
        assertEquals(1 << 8, pm.read(AcpiPmDevice.PM1_EN, 2));
        assertEquals(0, pm.read(AcpiPmDevice.PM1_STS, 2));

        pm.pressPowerButton();
        assertEquals(1 << 8, pm.read(AcpiPmDevice.PM1_STS, 2));
        assertEquals(List.of(true), sci, "enabled power button event raises the SCI");
        assertEquals(1L << 8 | 1L << 24, pm.read(AcpiPmDevice.PM1_STS, 4), "dword read: status then enable");

        pm.write(AcpiPmDevice.PM1_STS, 2, 0);        // writing 0 leaves status alone
        assertEquals(1 << 8, pm.read(AcpiPmDevice.PM1_STS, 2));
        pm.write(AcpiPmDevice.PM1_STS, 2, 0xffff);   // ACPICA clears all status bits this way
        assertEquals(0, pm.read(AcpiPmDevice.PM1_STS, 2));
        assertEquals(List.of(true, false), sci);
    }

    @Test
    void disabledPowerButtonLatchesStatusWithoutSci() {
        pm.pressPowerButton();
        assertEquals(1 << 8, pm.read(AcpiPmDevice.PM1_STS, 2));
        assertEquals(List.of(), sci);
    }
}
