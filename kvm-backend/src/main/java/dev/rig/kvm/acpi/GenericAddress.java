package dev.rig.kvm.acpi;

/** A Generic Address Structure (ACPI 6.5 §5.2.3.2): 12 bytes naming a register in some address space. */
public record GenericAddress(int spaceId, int bitWidth, int bitOffset, int accessSize, long address) {
    public static final int SYSTEM_MEMORY = 0, SYSTEM_IO = 1;
    public static final int ACCESS_BYTE = 1, ACCESS_WORD = 2, ACCESS_DWORD = 3;
    public static final GenericAddress NONE = new GenericAddress(0, 0, 0, 0, 0);

    /** An I/O port register of the given width, accessed bytes at a time for 8 bits, words above. */
    public static GenericAddress io(int port, int bitWidth) {
        return new GenericAddress(SYSTEM_IO, bitWidth, 0, bitWidth == 8 ? ACCESS_BYTE : ACCESS_WORD, port);
    }

    void writeTo(ByteWriter w) { w.u8(spaceId).u8(bitWidth).u8(bitOffset).u8(accessSize).u64(address); }
}
