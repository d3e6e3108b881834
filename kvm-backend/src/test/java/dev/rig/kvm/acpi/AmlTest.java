package dev.rig.kvm.acpi;

import dev.rig.kvm.acpi.AmlResource.Cacheability;
import org.junit.jupiter.api.Test;

import static dev.rig.kvm.acpi.Aml.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Byte-exact AML. Where noted, the expected bytes are those in rust-vmm/acpi_tables src/aml.rs unit tests
 * (which took them from iasl output); the others follow ACPI 6.5 chapter 20 by hand, the working shown.
 */
class AmlTest {
    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void s5PackageOfOneElementMatchesAcpiTables() {   // acpi_tables test_package
        assertArrayEquals(bytes(0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x04, 0x01, 0x0A, 0x05),
                name("_S5_", packageOf(integer(5))));
    }

    @Test
    void s5PackageOfFourElements() {
        // NameOp "_S5_" PackageOp PkgLength(7: itself + count + 0A 05 + three ZeroOps) NumElements 4
        assertArrayEquals(bytes(0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x07, 0x04, 0x0A, 0x05, 0x00, 0x00, 0x00),
                name("_S5", packageOf(integer(5), integer(0), integer(0), integer(0))));
    }

    @Test
    void eisaIdMatchesAcpiTables() {                  // acpi_tables test_eisa_name
        assertArrayEquals(bytes(0x08, 0x5F, 0x48, 0x49, 0x44, 0x0C, 0x41, 0xD0, 0x05, 0x01),
                name("_HID", eisaId("PNP0501")));
        // PNP0A08: 'P'=16,'N'=14,'P'=16 -> 0x41D0 then 0x0A08, stored big-endian
        assertArrayEquals(bytes(0x0C, 0x41, 0xD0, 0x0A, 0x08), eisaId("PNP0A08"));
    }

    @Test
    void nameStringsMatchAcpiTables() {               // acpi_tables test_name_path
        assertArrayEquals(bytes(0x5F, 0x53, 0x42, 0x5F), nameString("_SB_"));
        assertArrayEquals(bytes(0x5C, 0x5F, 0x53, 0x42, 0x5F), nameString("\\_SB_"));
        assertArrayEquals(bytes(0x2E, 0x5F, 0x53, 0x42, 0x5F, 0x43, 0x4F, 0x4D, 0x31), nameString("_SB_.COM1"));
        assertArrayEquals(bytes(0x2F, 0x03, 0x5F, 0x53, 0x42, 0x5F, 0x50, 0x43, 0x49, 0x30, 0x5F, 0x48, 0x49, 0x44),
                nameString("_SB_.PCI0._HID"));
        assertThrows(IllegalArgumentException.class, () -> nameString("TOOLONG"));
        assertThrows(IllegalArgumentException.class, () -> nameString("lowr"));
    }

    @Test
    void integersUseTheShortestEncodingAsAcpiTables() { // acpi_tables test_numbers
        assertArrayEquals(bytes(0x00), integer(0));
        assertArrayEquals(bytes(0x01), integer(1));
        assertArrayEquals(bytes(0x0a, 0x86), integer(0x86));
        assertArrayEquals(bytes(0x0b, 0x0d, 0xf0), integer(0xF00D));
        assertArrayEquals(bytes(0x0c, 0xaf, 0xec, 0x0d, 0x00), integer(0xDECAF));
        assertArrayEquals(bytes(0x0e, 0xee, 0xff, 0xc0, 0xaf, 0xec, 0x0d, 0x00, 0x00), integer(0xDECAFC0FFEEL));
        assertArrayEquals(bytes(0x0e, 0xad, 0xfb, 0xca, 0xde, 0xad, 0xfb, 0xca, 0xde), integer(0xdecafbaddecafbadL));
    }

    @Test
    void nameWithMultiSegmentPathMatchesAcpiTables() { // acpi_tables test_name
        assertArrayEquals(bytes(0x08, 0x2F, 0x03, 0x5F, 0x53, 0x42, 0x5F, 0x50, 0x43, 0x49, 0x30,
                0x5F, 0x55, 0x49, 0x44, 0x0b, 0x34, 0x12), name("_SB_.PCI0._UID", integer(0x1234)));
    }

    @Test
    void stringsAreNulTerminatedAsAcpiTables() {      // acpi_tables test_string
        assertArrayEquals(bytes(0x0d, 'A', 'C', 'P', 'I', 0), string("ACPI"));
    }

    @Test
    void methodReturningAConstantMatchesAcpiTables() { // acpi_tables test_method
        assertArrayEquals(bytes(0x14, 0x09, 0x5F, 0x53, 0x54, 0x41, 0x00, 0xA4, 0x0A, 0x0F),
                method("_STA", 0, false, returnOf(integer(0xf))));
    }

    @Test
    void pkgLengthSwitchesToMoreBytesAsAcpiTables() {  // acpi_tables test_pkg_length
        assertArrayEquals(bytes(63), pkgLength(62));
        assertArrayEquals(bytes((1 << 6) | (66 & 0xf), 66 >> 4), pkgLength(64));
        assertArrayEquals(bytes((2 << 6) | (4099 & 0xf), (4099 >> 4) & 0xff, 4099 >> 12), pkgLength(4096));
    }

    @Test
    void deviceWrapsItsNameAndTermsInExtOpDeviceOp() {
        // 5B 82 PkgLength(1 + 4 name + 10 _HID) "COM1" Name(_HID, EisaId("PNP0501"))
        byte[] hid = name("_HID", eisaId("PNP0501"));
        assertArrayEquals(concat(bytes(0x5B, 0x82, 15, 'C', 'O', 'M', '1'), hid), device("COM1", hid));
    }

    @Test
    void bufferCarriesItsSizeAsAnInteger() {
        assertArrayEquals(bytes(0x11, 0x05, 0x0A, 0x02, 0xAA, 0xBB), buffer(bytes(0xAA, 0xBB)));
    }

    @Test
    void wordBusNumberTemplateMatchesAcpiTables() {   // acpi_tables test_resource_template, WordBusNumber
        assertArrayEquals(bytes(0x08, 0x5F, 0x43, 0x52, 0x53, 0x11, 0x15, 0x0A, 0x12, 0x88, 0x0D, 0x00, 0x02, 0x0C,
                        0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x01, 0x79, 0x00),
                name("_CRS", resourceTemplate(AmlResource.wordBusNumber(0, 0xff))));
    }

    @Test
    void wordIoTemplateMatchesAcpiTables() {          // acpi_tables test_resource_template, WordIO x2
        assertArrayEquals(bytes(0x08, 0x5F, 0x43, 0x52, 0x53, 0x11, 0x25, 0x0A, 0x22, 0x88, 0x0D, 0x00, 0x01, 0x0C,
                        0x03, 0x00, 0x00, 0x00, 0x00, 0xF7, 0x0C, 0x00, 0x00, 0xF8, 0x0C, 0x88, 0x0D, 0x00,
                        0x01, 0x0C, 0x03, 0x00, 0x00, 0x00, 0x0D, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xF3, 0x79, 0x00),
                name("_CRS", resourceTemplate(AmlResource.wordIo(0, 0xcf7), AmlResource.wordIo(0xd00, 0xffff))));
    }

    @Test
    void dwordMemoryTemplateMatchesAcpiTables() {     // acpi_tables test_resource_template, DWordMemory x2
        assertArrayEquals(bytes(0x08, 0x5F, 0x43, 0x52, 0x53, 0x11, 0x39, 0x0A, 0x36, 0x87, 0x17, 0x00, 0x00, 0x0C,
                        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x00, 0xFF, 0xFF, 0x0B, 0x00, 0x00,
                        0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x87, 0x17, 0x00, 0x00, 0x0C, 0x01, 0x00,
                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0xFF, 0xFF, 0xBF, 0xFE, 0x00, 0x00, 0x00,
                        0x00, 0x00, 0x00, 0xC0, 0x3E, 0x79, 0x00),
                name("_CRS", resourceTemplate(
                        AmlResource.dwordMemory(Cacheability.CACHEABLE, true, 0xa0000, 0xbffff),
                        AmlResource.dwordMemory(Cacheability.NON_CACHEABLE, true, 0xc0000000L, 0xfebfffffL))));
    }

    @Test
    void qwordMemoryTemplateMatchesAcpiTables() {     // acpi_tables test_resource_template, QWordMemory
        assertArrayEquals(bytes(0x08, 0x5F, 0x43, 0x52, 0x53, 0x11, 0x33, 0x0A, 0x30, 0x8A, 0x2B, 0x00, 0x00, 0x0C,
                        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
                        0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x79, 0x00),
                name("_CRS", resourceTemplate(AmlResource.qwordMemory(false, Cacheability.CACHEABLE, true,
                        0x8_0000_0000L, 0xf_ffff_ffffL))));
    }

    @Test
    void ioDescriptorMatchesAcpiTables() {            // acpi_tables test_resource_template, IO (Decode16, 0x3F8...)
        assertArrayEquals(bytes(0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x00, 0x08), AmlResource.io(0x3f8, 0x3f8, 0, 8));
    }

    @Test
    void irqNoFlagsIsTheSmallIrqDescriptorWithAMask() {
        // ACPI 6.5 §6.4.2.1: tag 0x22 (small item 0x04, length 2), IRQ mask bit 4 for IRQ4
        assertArrayEquals(bytes(0x22, 0x10, 0x00), AmlResource.irqNoFlags(4));
        assertThrows(IllegalArgumentException.class, () -> AmlResource.irqNoFlags(16));
    }

    @Test
    void memory32FixedHasNineBytesOfPayload() {
        assertArrayEquals(bytes(0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xE0, 0x00, 0x00, 0x10, 0x00),
                AmlResource.memory32Fixed(true, 0xE000_0000L, 0x10_0000));
    }
}
