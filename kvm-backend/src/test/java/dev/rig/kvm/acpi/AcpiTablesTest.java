package dev.rig.kvm.acpi;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.rig.kvm.acpi.TestConfigs.*;
import static org.junit.jupiter.api.Assertions.*;

class AcpiTablesTest {
    private final AcpiTables.Image image = AcpiTables.build(twoVcpusTwoSegments());
    private final byte[] b = image.bytes();

    private int at(long address) { return Math.toIntExact(address - image.baseAddress()); }

    private String sig(long address) { return new String(b, at(address), 4, StandardCharsets.US_ASCII); }

    /** The table at address, cut to the length its header states. */
    private byte[] table(long address) {
        int len = (int) u32(b, at(address) + 4);
        byte[] t = new byte[len];
        System.arraycopy(b, at(address), t, 0, len);
        return t;
    }

    @Test
    void rsdpSitsAt16ByteAlignedBaseInTheBiosAreaWithBothChecksums() {
        assertEquals(0xE0000L, image.rsdpAddress());
        assertTrue(AcpiTables.fitsBiosArea(image), "image of " + b.length + " bytes must end below 1 MiB");
        int r = at(image.rsdpAddress());
        assertEquals("RSD PTR ", new String(b, r, 8, StandardCharsets.US_ASCII));
        assertEquals(2, u8(b, r + 15), "revision 2: ACPI 2.0+ with an XSDT");
        assertEquals(0, sum(b, r, 20), "ACPI 1.0 checksum over the first 20 bytes");
        assertEquals(36, u32(b, r + 20));
        assertEquals(0, sum(b, r, 36), "extended checksum over all 36 bytes");
        assertEquals("XSDT", sig(u64(b, r + 24)));
    }

    @Test
    void everyTableSumsToZeroAndFitsItsStatedLength() {
        for (AcpiTables.Placed p : image.tables()) {
            if (p.signature().equals("RSD PTR ") || p.signature().equals("FACS")) continue;  // no SDT header
            byte[] t = table(p.address());
            assertEquals(p.length(), t.length, p.signature() + " length field");
            assertEquals(p.signature(), sig(p.address()));
            assertEquals(0, sum(t, 0, t.length), p.signature() + " checksum");
            assertEquals("RIGVMM", new String(t, 10, 6, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void xsdtListsFadtMadtAndMcfgAndFadtPointsAtFacsAndDsdt() {
        byte[] xsdt = table(image.addressOf("XSDT"));
        List<String> entries = new ArrayList<>();
        for (int off = 36; off < xsdt.length; off += 8) entries.add(sig(u64(xsdt, off)));
        assertEquals(List.of("FACP", "APIC", "MCFG"), entries);

        byte[] fadt = table(image.addressOf("FACP"));
        assertEquals(276, fadt.length);
        assertEquals(6, u8(fadt, 8));
        assertEquals("DSDT", sig(u64(fadt, Fadt.X_DSDT)));
        assertEquals(image.addressOf("DSDT"), u32(fadt, Fadt.DSDT), "32-bit DSDT equals X_DSDT");
        long facs = u64(fadt, Fadt.X_FIRMWARE_CTRL);
        assertEquals(0, facs % 64, "FACS is 64-byte aligned");
        assertEquals("FACS", sig(facs));
        assertEquals(64, u32(b, at(facs) + 4));
    }

    @Test
    void fadtDescribesTheLegacyPmBlockSciAndResetRegister() {
        byte[] f = table(image.addressOf("FACP"));
        assertEquals(9, u16(f, Fadt.SCI_INT));
        assertEquals(0, u32(f, Fadt.SMI_CMD), "no SMI command port: always in ACPI mode");
        assertEquals(0x600, u32(f, Fadt.PM1A_EVT_BLK));
        assertEquals(0x604, u32(f, Fadt.PM1A_CNT_BLK));
        assertEquals(4, u8(f, Fadt.PM1_EVT_LEN));
        assertEquals(2, u8(f, Fadt.PM1_CNT_LEN));
        int flags = (int) u32(f, Fadt.FLAGS_OFFSET);
        assertEquals(0, flags & Fadt.FLAG_HW_REDUCED_ACPI);
        assertNotEquals(0, flags & Fadt.FLAG_RESET_REG_SUP);
        int bootArch = u16(f, Fadt.IAPC_BOOT_ARCH);
        assertNotEquals(0, bootArch & Fadt.BOOT_ARCH_VGA_NOT_PRESENT);
        assertEquals(0, bootArch & Fadt.BOOT_ARCH_8042, "pc() emulates no 8042");
        // RESET_REG: SystemIO, 8 bits, byte access, port 0x606; RESET_VALUE 6
        assertEquals(1, u8(f, Fadt.RESET_REG));
        assertEquals(8, u8(f, Fadt.RESET_REG + 1));
        assertEquals(0x606, u64(f, Fadt.RESET_REG + 4));
        assertEquals(6, u8(f, Fadt.RESET_VALUE));
        // X_PM1a_EVT_BLK at 148 and X_PM1a_CNT_BLK at 172 agree with the 32-bit fields
        assertEquals(1, u8(f, 148));
        assertEquals(32, u8(f, 149));
        assertEquals(0x600, u64(f, 152));
        assertEquals(16, u8(f, 173));
        assertEquals(0x604, u64(f, 176));
    }

    @Test
    void madtHasLocalApicsIoApicAndOverridesWithTheSpecLayouts() {
        byte[] m = table(image.addressOf("APIC"));
        assertEquals(0xFEE00000L, u32(m, 36));
        assertEquals(1, u32(m, 40), "PCAT_COMPAT");
        int off = 44;
        for (int cpu = 0; cpu < 2; cpu++, off += 8) {
            assertEquals(0, u8(m, off), "Processor Local APIC type");
            assertEquals(8, u8(m, off + 1));
            assertEquals(cpu, u8(m, off + 2), "processor UID");
            assertEquals(cpu, u8(m, off + 3), "APIC id");
            assertEquals(1, u32(m, off + 4), "enabled");
        }
        assertEquals(1, u8(m, off), "I/O APIC type");
        assertEquals(12, u8(m, off + 1));
        assertEquals(0, u8(m, off + 2), "I/O APIC id");
        assertEquals(0xFEC00000L, u32(m, off + 4));
        assertEquals(0, u32(m, off + 8), "GSI base");
        off += 12;
        int[][] expected = {{0, 2, 0x5}, {9, 9, 0xd}};   // IRQ0 -> GSI2 edge/high; SCI level/high
        for (int[] e : expected) {
            assertEquals(2, u8(m, off), "Interrupt Source Override type");
            assertEquals(10, u8(m, off + 1));
            assertEquals(0, u8(m, off + 2), "ISA bus");
            assertEquals(e[0], u8(m, off + 3));
            assertEquals(e[1], u32(m, off + 4));
            assertEquals(e[2], u16(m, off + 8));
            off += 10;
        }
        assertEquals(4, u8(m, off), "Local APIC NMI type");
        assertEquals(6, u8(m, off + 1));
        assertEquals(m.length, off + 6, "nothing else follows");
    }

    @Test
    void mcfgHasOneEcamEntryPerSegment() {
        byte[] m = table(image.addressOf("MCFG"));
        assertEquals(Mcfg.ENTRIES_OFFSET + 2 * 16, m.length);
        long[][] expected = {{ECAM0, 0}, {ECAM1, 1}};
        for (int i = 0; i < 2; i++) {
            int e = Mcfg.ENTRIES_OFFSET + 16 * i;
            assertEquals(expected[i][0], u64(m, e));
            assertEquals(expected[i][1], u16(m, e + 8));
            assertEquals(0, u8(m, e + 10), "start bus");
            assertEquals(0, u8(m, e + 11), "end bus");
        }
    }

    @Test
    void withoutPciThereIsNoMcfg() {
        AcpiTables.Image noPci = AcpiTables.build(AcpiConfig.pc(1, List.of()));
        assertTrue(noPci.tables().stream().noneMatch(t -> t.signature().equals("MCFG")));
    }

    @Test
    void dsdtHoldsS5PackageAndNamedDevices() {
        byte[] d = table(image.addressOf("DSDT"));
        String ascii = new String(d, StandardCharsets.ISO_8859_1);
        byte[] s5 = Dsdt.sleepStateS5();
        assertTrue(indexOf(d, s5) > 0, "\\_S5_ package");
        for (String n : List.of("PCI0", "PCI1", "MRES", "COM1", "_PRT", "_SEG", "_BBN"))
            assertTrue(ascii.contains(n), n);
    }

    @Test
    void dsdtDescribesThePvpanicPortAsQemusDeviceOnlyWhenThereIsOne() {
        byte[] d = table(image.addressOf("DSDT"));
        byte[] pevt = Dsdt.pvpanic(AcpiConfig.PVPANIC_PORT);
        assertTrue(indexOf(d, pevt) > 0, "Device (PEVT) in \\_SB_");
        assertTrue(indexOf(pevt, Aml.string("QEMU0001")) > 0, "_HID QEMU0001, the id Linux's pvpanic driver matches");
        assertTrue(indexOf(pevt, AmlResource.io(0x505, 0x505, 1, 1)) > 0, "one port at 0x505");

        AcpiConfig pc = twoVcpusTwoSegments();
        AcpiConfig none = new AcpiConfig(pc.vcpus(), pc.ioApicId(), pc.ioApicAddress(), pc.pciSegments(), pc.pm(),
                pc.serialPorts(), pc.interruptOverrides(), false, false, 0);
        AcpiTables.Image without = AcpiTables.build(none);
        String ascii = new String(without.bytes(), StandardCharsets.ISO_8859_1);
        assertFalse(ascii.contains("PEVT") || ascii.contains("QEMU0001"));
    }

    @Test
    void rejectsMisalignedBaseAndIoWindowsOverVmmPorts() {
        assertThrows(IllegalArgumentException.class, () -> AcpiTables.build(twoVcpusTwoSegments(), 0xE0008));
        var seg = AcpiConfig.PciSegment.singleBus(0, TestConfigs.ECAM0, 0xC000_0000L, 0x1000_0000L, 0, 0,
                new AcpiConfig.IoWindow(0x0400, 0xffff), List.of());
        assertThrows(IllegalArgumentException.class, () -> AcpiConfig.pc(1, List.of(seg)));
        var beyondIoApic = AcpiConfig.PciSegment.singleBus(0, TestConfigs.ECAM0, 0xC000_0000L, 0x1000_0000L, 0, 0,
                null, List.of(new AcpiConfig.IntxRoute(1, 0, 24)));
        assertThrows(IllegalArgumentException.class, () -> AcpiConfig.pc(1, List.of(beyondIoApic)));
        var overPvpanic = AcpiConfig.PciSegment.singleBus(0, TestConfigs.ECAM0, 0xC000_0000L, 0x1000_0000L, 0, 0,
                new AcpiConfig.IoWindow(0x0500, 0x05ff), List.of());
        var e = assertThrows(IllegalArgumentException.class, () -> AcpiConfig.pc(1, List.of(overPvpanic)));
        assertEquals("segment 0 I/O window covers the pvpanic port", e.getMessage());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
