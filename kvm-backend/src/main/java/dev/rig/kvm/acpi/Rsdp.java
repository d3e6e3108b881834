package dev.rig.kvm.acpi;

/**
 * The Root System Description Pointer, ACPI 2.0+ form (ACPI 6.5 §5.2.5.3): 36 bytes, "RSD PTR " on a 16-byte
 * boundary. The first checksum covers the 20-byte ACPI 1.0 part, the extended one all 36 bytes. Only the
 * XSDT is given; the 32-bit RSDT address stays 0, which Linux accepts for revision 2.
 */
public final class Rsdp {
    public static final int SIZE = 36, V1_SIZE = 20, REVISION = 2;
    public static final int CHECKSUM_OFFSET = 8, XSDT_OFFSET = 24, EXTENDED_CHECKSUM_OFFSET = 32;

    private Rsdp() {}

    public static byte[] toBytes(long xsdtAddress) {
        byte[] b = new ByteWriter()
                .ascii("RSD PTR ", 8).u8(0).ascii(Sdt.OEM_ID, 6).u8(REVISION)
                .u32(0)                // RsdtAddress: none
                .u32(SIZE).u64(xsdtAddress).u8(0).zeros(3)
                .toByteArray();
        b[CHECKSUM_OFFSET] = ByteWriter.checksum(b, 0, V1_SIZE);
        b[EXTENDED_CHECKSUM_OFFSET] = ByteWriter.checksum(b, 0, SIZE);
        return b;
    }
}
